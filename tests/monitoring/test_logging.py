"""Coaches log sessions and measurements, and import measurements from CSV: all or nothing."""

import datetime as dt
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Measurement, TrainingSession
from tests.factories import AthleteFactory, TeamFactory, athlete_with_login, staff, start_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def athlete(world):
    """The world's athlete (Maya Okafor), in phase 2."""
    start_plan(world.athlete, 2)
    return world.athlete


def yesterday():
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


# --- forms ---------------------------------------------------------------------------------


def test_coach_logs_a_session(client, coach, athlete):
    client.force_login(coach)
    response = client.post(
        reverse("coach:session-new", args=[athlete.pk]),
        {
            "date": yesterday(),
            "type": "acceleration",
            "duration_min": 50,
            "rpe": 6,
            "pain_during": 1,
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get(athlete=athlete)
    assert session.load == 300 and session.logged_by == coach and session.plan is not None


@pytest.mark.parametrize(
    "data, field",
    [
        ({"type": "acceleration", "duration_min": 50, "rpe": 11}, "rpe"),
        ({"type": "flying", "duration_min": 50, "rpe": 5}, "type"),
        ({"type": "tempo", "duration_min": 0, "rpe": 5}, "duration_min"),
        ({"type": "tempo", "duration_min": 30, "rpe": 5, "date": "2999-01-01"}, "date"),
        ({"type": "tempo", "duration_min": 30, "rpe": 5, "date": "yesterday"}, "date"),
    ],
)
def test_bad_session_input_is_a_field_error_and_nothing_is_stored(
    client, coach, athlete, data, field
):
    client.force_login(coach)
    response = client.post(
        reverse("coach:session-new", args=[athlete.pk]), {"date": yesterday(), **data}
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not TrainingSession.objects.exists()


def test_the_session_form_keeps_its_date_as_iso_for_the_date_input(client, coach, athlete):
    client.force_login(coach)
    page = client.get(reverse("coach:session-new", args=[athlete.pk])).content.decode()
    today = timezone.localdate().isoformat()
    assert f'type="date" name="date" value="{today}"' in page
    # After a validation error the page comes back with the date the coach chose.
    response = client.post(
        reverse("coach:session-new", args=[athlete.pk]),
        {"date": yesterday(), "type": "tempo", "duration_min": 0, "rpe": 5},
    )
    assert response.status_code == 400
    assert f'type="date" name="date" value="{yesterday()}"' in response.content.decode()


def test_the_session_form_has_human_labels(client, coach, athlete):
    client.force_login(coach)
    page = client.get(reverse("coach:session-new", args=[athlete.pk])).content.decode()
    labels = re.findall(r'<label for="id_\w+">([^<]+)</label>', page)
    for label in (
        "Date",
        "Duration (min)",
        "RPE",
        "Top intensity (% of max)",
        "Sprint distance (m)",
        "Temperature (°C)",
        "Pain during (0–10)",
        "Pain after (0–10)",
    ):
        assert label in labels
    assert not [label for label in labels if "_" in label]


def test_coach_logs_a_measurement(client, coach, athlete):
    client.force_login(coach)
    response = client.post(
        reverse("coach:measurement-new", args=[athlete.pk]),
        {"metric": "knee_flexor_strength", "value": "312.5", "side": "left"},
    )
    assert response.status_code == 302
    m = Measurement.objects.get(athlete=athlete)
    assert (m.metric.code, m.value, m.side, m.source) == (
        "knee_flexor_strength",
        312.5,
        "left",
        "manual",
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"metric": "split_30m", "value": "fast"}, "value"),
        ({"metric": "split_30m", "value": "nan"}, "value"),
        ({"metric": "split_30m", "value": "inf"}, "value"),
        ({"metric": "nope", "value": "4.1"}, "metric"),
        ({"metric": "split_30m", "value": "4.1", "side": "middle"}, "side"),
        ({"metric": "split_30m", "value": "4.1", "measured_at": "2999-01-01T10:00"}, "measured_at"),
    ],
)
def test_bad_measurement_is_a_field_error_and_nothing_is_stored(
    client, coach, athlete, data, field
):
    client.force_login(coach)
    response = client.post(reverse("coach:measurement-new", args=[athlete.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Measurement.objects.exists()


def test_logging_forms_are_scoped(client, athlete):
    client.force_login(staff(TeamFactory()))
    for name in ("coach:session-new", "coach:measurement-new"):
        assert client.get(reverse(name, args=[athlete.pk])).status_code == 404
        assert client.post(reverse(name, args=[athlete.pk]), {}).status_code == 404
    client.force_login(athlete_with_login(athlete.team).user)
    assert client.get(reverse("coach:measurement-new", args=[athlete.pk])).status_code == 403


# --- CSV import ----------------------------------------------------------------------------


def upload(client, text, **extra):
    return client.post(
        reverse("coach:measurement-import"),
        {"file": SimpleUploadedFile("gates.csv", text.encode(), content_type="text/csv"), **extra},
    )


def test_csv_preview_then_import_all_rows(client, coach, athlete, team):
    other = AthleteFactory(team=team, first_name="Jonas", last_name="Weber")
    text = (
        "athlete_id,metric,value,side,measured_at\n"
        f"{athlete.pk},split_30m,4.21,,{yesterday()}\n"
        f'{athlete.pk},knee_flexor_strength,"301,5",L,{yesterday()} 09:30\n'
        f"Jonas Weber,peak_velocity,9.8,,{yesterday()}\n"
    )
    client.force_login(coach)
    preview = upload(client, text)
    assert preview.status_code == 200
    assert preview.context["preview"].ok
    assert not Measurement.objects.exists()  # a preview stores nothing
    assert b"Import 3 measurements" in preview.content
    content, key = preview.context["content"], preview.context["key"]
    done = client.post(
        reverse("coach:measurement-import"), {"content": content, "key": key, "confirm": "1"}
    )
    assert done.status_code == 200
    assert len(done.context["imported"]) == 3
    assert Measurement.objects.filter(source="csv").count() == 3
    assert (
        Measurement.objects.get(athlete=athlete, metric__code="knee_flexor_strength").value == 301.5
    )
    assert Measurement.objects.filter(athlete=other).count() == 1
    assert b"Imported 3 measurements" in done.content


def test_csv_with_bad_rows_reports_each_and_imports_nothing(client, coach, athlete):
    outsider = AthleteFactory(team=TeamFactory())
    text = (
        "athlete_id,metric,value,side,measured_at\n"
        f"{athlete.pk},split_30m,4.21,,{yesterday()}\n"
        f"999999,split_30m,4.2,,{yesterday()}\n"
        f"{outsider.pk},split_30m,4.2,,{yesterday()}\n"
        f"{athlete.pk},split_99m,4.2,,{yesterday()}\n"
        f"{athlete.pk},split_30m,quick,,{yesterday()}\n"
        f"{athlete.pk},split_30m,4.2,,20/11/2026\n"
        f"{athlete.pk},split_30m,4.2,,2999-01-01\n"
        f"{athlete.pk},split_30m,4.2,up,{yesterday()}\n"
    )
    client.force_login(coach)
    response = upload(client, text)
    assert response.status_code == 400
    preview = response.context["preview"]
    errors = {r.line: set(r.errors) for r in preview.rows}
    assert errors == {
        2: set(),
        3: {"athlete"},
        4: {"athlete"},  # another team's athlete is unknown here
        5: {"metric"},
        6: {"value"},
        7: {"measured_at"},
        8: {"measured_at"},
        9: {"side"},
    }
    assert b"Unknown athlete" in response.content and b"is not a number" in response.content
    assert b'name="confirm"' not in response.content
    # Confirming the same file anyway stores nothing.
    forced = client.post(reverse("coach:measurement-import"), {"content": text, "confirm": "1"})
    assert forced.status_code == 400
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("", b"Choose a CSV file"),
        ("athlete_id,metric,value,side,measured_at\n", b"no rows"),
    ],
)
def test_csv_file_level_errors(client, coach, text, message):
    client.force_login(coach)
    response = (
        upload(client, text) if text else client.post(reverse("coach:measurement-import"), {})
    )
    assert response.status_code == 400
    assert message in response.content
    assert not Measurement.objects.exists()


def test_binary_garbage_is_an_error_not_a_500(client, coach):
    client.force_login(coach)
    response = client.post(
        reverse("coach:measurement-import"),
        {"file": SimpleUploadedFile("x.csv", bytes(range(256)) * 10, content_type="text/csv")},
    )
    assert response.status_code == 400
    assert not Measurement.objects.exists()


def test_import_rolls_back_everything_when_a_row_fails_at_write_time(coach, athlete, monkeypatch):
    from monitoring import csv_import

    text = (
        "athlete_id,metric,value,side,measured_at\n"
        f"{athlete.pk},split_30m,4.21,,{yesterday()}\n"
        f"{athlete.pk},split_30m,4.25,,{yesterday()}\n"
    ).encode()
    preview = csv_import.parse_measurements_csv(text, athletes=[athlete])
    real = csv_import.checked_measurement
    calls = []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            from django.core.exceptions import ValidationError

            raise ValidationError({"value": "refused"})
        return real(*args, **kwargs)

    monkeypatch.setattr(csv_import, "checked_measurement", second_fails)
    with pytest.raises(Exception, match="Line 3"):
        csv_import.import_measurements(preview, by=coach, key=preview.key)
    assert not Measurement.objects.exists()


def test_an_athlete_cannot_import(client, team):
    client.force_login(athlete_with_login(team).user)
    assert client.get(reverse("coach:measurement-import")).status_code == 403


def test_imported_measurements_are_evaluated_by_the_monitoring_job_after_commit(
    client, coach, athlete, django_capture_on_commit_callbacks
):
    text = "athlete_id,metric,value,side,measured_at\n" + "".join(
        f"{athlete.pk},split_30m,{4.2 + n / 100},,{yesterday()}\n" for n in range(3)
    )
    client.force_login(coach)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        done = client.post(
            reverse("coach:measurement-import"),
            {"content": text, "key": uuid.uuid4(), "confirm": "1"},
        )
    assert done.status_code == 200
    assert len(done.context["imported"]) == 3
    assert callbacks  # the evaluation was scheduled (and ran eagerly) after the commit
