"""A CSV import is stored once: a second confirm of the same preview stores nothing and says
when the file was imported; rows already stored are duplicates, skipped unless ticked."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from athletes.models import Role
from monitoring import csv_import
from monitoring.models import ImportBatch, Measurement
from tests.concurrency import race
from tests.factories import AthleteFactory, MeasurementFactory, TeamFactory, metric, staff

pytestmark = pytest.mark.django_db
URL = reverse("coach:measurement-import")


def day(days_ago=1) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def csv_text(athlete, *values) -> str:
    rows = "".join(
        f"{athlete.pk},split_30m,{v},,{day()} 09:{n:02d}\n" for n, v in enumerate(values)
    )
    return "athlete_id,metric,value,side,measured_at\n" + rows


def preview(client, text):
    return client.post(
        URL, {"file": SimpleUploadedFile("gates.csv", text.encode(), content_type="text/csv")}
    )


def confirm(client, page, **extra):
    data = {
        "content": page.context["content"],
        "key": page.context["key"],
        "file_name": page.context["file_name"],
        "confirm": "1",
        **extra,
    }
    return client.post(URL, data)


def test_confirming_the_same_preview_twice_stores_the_rows_once(client, coach, athlete):
    client.force_login(coach)
    page = preview(client, csv_text(athlete, 4.21, 4.25, 4.30))
    first = confirm(client, page)
    assert first.status_code == 200 and len(first.context["imported"]) == 3
    second = confirm(client, page)  # the back button, then Import again
    assert second.status_code == 200
    assert "imported" not in second.context
    assert second.context["already"].rows == 3
    assert b"This file was already imported" in second.content
    assert b"Nothing was stored again" in second.content
    assert Measurement.objects.count() == 3
    batch = ImportBatch.objects.get()
    assert batch.file_name == "gates.csv" and batch.imported_by == coach
    assert set(Measurement.objects.values_list("import_batch", flat=True)) == {batch.pk}


def test_a_file_uploaded_again_shows_its_rows_as_duplicates_and_skips_them(client, coach, athlete):
    client.force_login(coach)
    confirm(client, preview(client, csv_text(athlete, 4.21, 4.25)))
    again = preview(client, csv_text(athlete, 4.21, 4.25, 4.40))
    rows = again.context["preview"].rows
    assert [r.duplicate for r in rows] == ["already stored", "already stored", ""]
    assert b"Import 1 measurement" in again.content
    done = confirm(client, again)
    assert len(done.context["imported"]) == 1 and done.context["skipped"] == 2
    assert Measurement.objects.count() == 3


def test_a_ticked_duplicate_is_imported_again(client, coach, athlete):
    client.force_login(coach)
    confirm(client, preview(client, csv_text(athlete, 4.21, 4.25)))
    again = preview(client, csv_text(athlete, 4.21, 4.25))
    done = confirm(client, again, include_lines=["2"])
    assert len(done.context["imported"]) == 1
    assert Measurement.objects.filter(value=4.21).count() == 2


def test_only_duplicates_and_nothing_ticked_imports_nothing_and_says_why(client, coach, athlete):
    client.force_login(coach)
    confirm(client, preview(client, csv_text(athlete, 4.21)))
    again = confirm(client, preview(client, csv_text(athlete, 4.21)))
    assert again.status_code == 400
    assert "every row is already stored" in again.context["form"].non_field_errors()[0]
    assert Measurement.objects.count() == 1


def test_a_row_repeated_within_the_file_is_a_duplicate_of_its_first_line(athlete):
    text = (
        "athlete_id,metric,value,side,measured_at\n"
        f"{athlete.pk},split_30m,4.21,,{day()} 09:00\n"
        f"{athlete.pk},split_30m,4.21,,{day()} 09:00\n"
    ).encode()
    rows = csv_import.parse_measurements_csv(text, athletes=[athlete]).rows
    assert [r.duplicate for r in rows] == ["", "same as line 2"]


def test_a_stored_value_at_another_time_is_not_a_duplicate(athlete):
    MeasurementFactory(
        athlete=athlete,
        metric=metric("split_30m"),
        value=4.21,
        measured_at=timezone.now() - dt.timedelta(days=5),
    )
    rows = csv_import.parse_measurements_csv(
        csv_text(athlete, 4.21).encode(), athletes=[athlete]
    ).rows
    assert rows[0].duplicate == ""


def test_a_voided_measurement_does_not_make_a_row_a_duplicate(client, coach, athlete):
    from monitoring.corrections import void_measurement

    client.force_login(coach)
    confirm(client, preview(client, csv_text(athlete, 4.21)))
    void_measurement(Measurement.objects.get(), by=coach, reason="Wrong athlete in the file")
    again = preview(client, csv_text(athlete, 4.21))
    assert again.context["preview"].rows[0].duplicate == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_two_confirms_at_the_same_moment_store_the_file_once():
    team = TeamFactory()
    coach = staff(team, Role.COACH)
    athlete = AthleteFactory(team=team)
    parsed = csv_import.parse_measurements_csv(
        csv_text(athlete, 4.21, 4.25).encode(), athletes=[athlete]
    )
    key = uuid.uuid4()

    def attempt():
        try:
            return len(csv_import.import_measurements(parsed, by=coach, key=key).created)
        except csv_import.AlreadyImported:
            return "already"

    outcomes = race(attempt, 2)
    assert sorted(map(str, outcomes)) == ["2", "already"]
    assert Measurement.objects.count() == 2 and ImportBatch.objects.count() == 1
