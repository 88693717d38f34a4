"""Impossible values are refused at the field, wherever they come from — the coach's form, the
API, the bulk endpoint, the CSV import — and nothing is stored (PRODUCT.md §2.9). One
definition: the registry's range and side rule (MetricKind.value_errors) and the date bounds
(core.plausibility)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.models import Athlete, Baseline, Injury
from monitoring import csv_import
from monitoring.metric_registry import METRICS, PLAUSIBLE
from monitoring.models import CheckIn, Measurement, MetricKind, TrainingSession
from tests.factories import TeamFactory, athlete_with_login, metric

pytestmark = pytest.mark.django_db

# (metric, value, side, the field the error is at) — the examples of issue 13 and their kin.
IMPOSSIBLE = [
    ("split_30m", -4, "", "value"),
    ("split_30m", 0.9, "", "value"),
    ("knee_flexor_strength", 1_000_000_000, "left", "value"),
    ("h_test", 7, "left", "value"),
    ("h_test", 0.5, "left", "value"),
    ("calf_raises", -1, "right", "value"),
    ("knee_flexor_strength", 300, "", "side"),  # a bilateral test with no side
    ("split_30m", 4.2, "left", "side"),  # a sprint split has no side
]


@pytest.fixture
def world(world):
    return {"team": world.team, "athlete": world.athlete, "coach": world.coach}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_metric_kind_has_a_range_a_precision_and_a_value_type():
    kinds = list(MetricKind.objects.all())
    assert {k.code for k in kinds} == {m[0] for m in METRICS} == set(PLAUSIBLE)
    for kind in kinds:
        assert kind.min_value < kind.max_value, kind.code
        assert 0 <= kind.decimals <= 4, kind.code
        assert kind.value_type in ("number", "pass_fail"), kind.code
        if kind.unit == "pass":
            assert kind.is_pass_fail and (kind.min_value, kind.max_value) == (0, 1)
        # The registry's own smallest worthwhile change is shown at its precision: no "0.000".
        assert kind.format_value(kind.max_value) != kind.format_value(kind.min_value)


def test_a_plausible_value_passes_and_formats_at_the_metrics_precision():
    assert metric("split_30m").value_errors(4.21, "") == {}
    assert metric("knee_flexor_strength").format_value(354.887) == "355"
    assert metric("split_30m").format_value(4.2) == "4.20"
    assert metric("h_test").format_value(1) == "pass"


@pytest.mark.parametrize("code, value, side, field", IMPOSSIBLE)
def test_the_coach_form_refuses_it_at_the_field_and_stores_nothing(
    client, world, code, value, side, field
):
    client.force_login(world["coach"])
    response = client.post(
        reverse("coach:measurement-new", args=[world["athlete"].pk]),
        {"metric": code, "value": value, "side": side},
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("code, value, side, field", IMPOSSIBLE)
def test_the_api_refuses_it_at_the_field_and_stores_nothing(world, code, value, side, field):
    response = api(world["coach"]).post(
        "/api/v1/measurements/",
        {"athlete": world["athlete"].pk, "metric": code, "value": value, "side": side},
        format="json",
    )
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("code, value, side, field", IMPOSSIBLE)
def test_bulk_refuses_the_row_by_its_index_and_stores_none(world, code, value, side, field):
    good = {"athlete": world["athlete"].pk, "metric": "split_30m", "value": 4.2}
    bad = {"athlete": world["athlete"].pk, "metric": code, "value": value, "side": side}
    response = api(world["coach"]).post(
        "/api/v1/measurements/bulk/", {"measurements": [good, bad]}, format="json"
    )
    assert response.status_code == 400
    rows = response.json()["measurements"]
    assert set(rows) == {"1"} and field in rows["1"]  # errors keyed by row index
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("code, value, side, field", IMPOSSIBLE)
def test_the_csv_import_reports_the_row_and_imports_nothing(
    client, world, code, value, side, field
):
    when = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    text = (
        "athlete_id,metric,value,side,measured_at\n"
        f"{world['athlete'].pk},split_30m,4.21,,{when}\n"
        f"{world['athlete'].pk},{code},{value},{side},{when}\n"
    )
    preview = csv_import.parse_measurements_csv(text.encode(), athletes=[world["athlete"]])
    assert not preview.ok and field in preview.rows[1].errors
    with pytest.raises(ValidationError):
        csv_import.import_measurements(preview, by=world["coach"], key=preview.key)
    client.force_login(world["coach"])
    page = client.post(
        reverse("coach:measurement-import"),
        {"file": SimpleUploadedFile("x.csv", text.encode()), "confirm": "1"},
    )
    assert page.status_code == 400
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "when",
    ["1999-12-31", "0001-01-01T00:00:00+05:00", "1970-01-01 00:00"],
)
def test_measurements_before_2000_are_refused_everywhere(client, world, when):
    body = {"athlete": world["athlete"].pk, "metric": "split_30m", "value": 4.2}
    response = api(world["coach"]).post(
        "/api/v1/measurements/", {**body, "measured_at": when.replace(" ", "T")}, format="json"
    )
    assert response.status_code == 400 and "measured_at" in response.json()
    text = (
        f"athlete_id,metric,value,side,measured_at\n{world['athlete'].pk},split_30m,4.2,,{when}\n"
    )
    preview = csv_import.parse_measurements_csv(text.encode(), athletes=[world["athlete"]])
    assert "measured_at" in preview.rows[0].errors
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "taken_at",
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "1999-12-31T23:00:00Z"],
)
def test_a_checkin_before_2000_is_refused_and_never_stored(taken_at):
    athlete = athlete_with_login(TeamFactory())
    client = api(athlete.user)
    response = client.post(
        "/api/v1/checkins/",
        {
            "athlete": athlete.pk,
            "taken_at": taken_at,
            "pain_rest": 1,
            "pain_activity": 1,
            "pain_morning": 1,
        },
        format="json",
    )
    assert response.status_code == 400 and "taken_at" in response.json()
    assert not CheckIn.objects.exists()


def test_the_checkin_page_refuses_a_time_before_2000(client):
    athlete = athlete_with_login(TeamFactory())
    client.force_login(athlete.user)
    response = client.post(
        reverse("me:today"),
        {"pain_rest": 1, "pain_activity": 1, "pain_morning": 1, "taken_at": "1999-05-01T07:30"},
    )
    assert response.status_code == 400 and response.context["form"].errors["taken_at"]
    assert not CheckIn.objects.exists()


SESSION = {"type": "technique", "duration_min": 30, "rpe": 4}


@pytest.mark.parametrize(
    "field, value",
    [
        ("duration_min", 0),
        ("duration_min", 601),
        ("rpe", 11),
        ("top_intensity_pct", 101),
        ("temperature_c", 60),
        ("temperature_c", -41),
        ("sprint_distance_m", 20_000),
        ("pain_during", 11),
        ("date", "1999-12-31"),
        ("date", "tomorrow"),
    ],
)
def test_impossible_session_values_are_refused_by_the_form_and_the_api(client, world, field, value):
    if value == "tomorrow":
        value = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = {**SESSION, "date": timezone.localdate().isoformat(), field: value}
    client.force_login(world["coach"])
    page = client.post(reverse("coach:session-new", args=[world["athlete"].pk]), data)
    assert page.status_code == 400 and page.context["form"].errors[field]
    response = api(world["coach"]).post(
        "/api/v1/sessions/", {**data, "athlete": world["athlete"].pk}, format="json"
    )
    assert response.status_code == 400 and field in response.json(), response.content
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [("date_of_birth", "1899-12-31"), ("date_of_birth", "tomorrow")],
)
def test_an_impossible_date_of_birth_is_refused(world, field, value):
    if value == "tomorrow":
        value = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api(world["coach"]).post(
        "/api/v1/athletes/",
        {"team": world["team"].pk, "first_name": "Ada", "last_name": "Lind", field: value},
        format="json",
    )
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Athlete.objects.filter(first_name="Ada").exists()


@pytest.mark.parametrize("value", ["1999-12-31", "tomorrow"])
def test_an_impossible_injury_date_is_refused(world, value):
    if value == "tomorrow":
        value = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api(world["coach"]).post(
        "/api/v1/injuries/",
        {
            "athlete": world["athlete"].pk,
            "muscle_group": "hamstring",
            "side": "left",
            "grade": 2,
            "occurred_on": value,
            "mechanism": "high_speed_running",
        },
        format="json",
    )
    assert response.status_code == 400 and "occurred_on" in response.json(), response.content
    assert not Injury.objects.exists()


@pytest.mark.parametrize(
    "code, value, side, measured_on, field",
    [
        ("knee_flexor_strength", -5, "left", "2025-01-10", "value"),
        ("knee_flexor_strength", 400, "", "2025-01-10", "side"),
        ("split_30m", 4.1, "", "1999-01-10", "measured_on"),
    ],
)
def test_a_baseline_is_held_to_the_same_rules(world, code, value, side, measured_on, field):
    baseline = Baseline(
        athlete=world["athlete"],
        metric=metric(code),
        side=side,
        value=value,
        measured_on=dt.date.fromisoformat(measured_on),
    )
    with pytest.raises(ValidationError) as refused:
        baseline.full_clean()
    assert field in refused.value.message_dict


def test_staff_change_a_range_in_the_admin_and_it_applies_at_once(admin_client, world):
    split = metric("split_30m")
    url = reverse("admin:monitoring_metrickind_change", args=[split.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(max_value=20)
    assert admin_client.post(url, data).status_code == 302
    assert metric("split_30m").value_errors(15, "") == {}
