"""Device exports through column maps (issue 18 item 6): the map is checked strictly
(field-level errors, nothing stored), units convert to the registry's, athletes are found by
their device ids, a saved team profile reads the next file with no mapping step, a shipped
vendor layout is recognised, split columns become sprint trials, and everything stays scoped
to the user's teams, all-or-nothing and once."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from athletes import services as athlete_services
from athletes.models import ExternalId
from monitoring import csv_import, import_profiles, units
from monitoring.models import ImportBatch, ImportProfile, Measurement, SprintTrial

pytestmark = pytest.mark.django_db
URL = reverse("coach:measurement-import")
FILES = Path(__file__).parent / "files"


def day(days_ago=1) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def upload(client, text, name="device.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def map_post(client, page, **fields):
    return client.post(
        URL,
        {"content": page.context["content"], "file_name": page.context["file_name"], "map": "1"}
        | fields,
    )


def confirm(client, page):
    return client.post(
        URL,
        {
            "content": page.context["content"],
            "file_name": page.context["file_name"],
            "key": page.context["key"],
            "mapping": page.context["mapping_json"],
            "layout_name": page.context.get("layout_name", ""),
            "confirm": "1",
        },
    )


def gates_file(world, *rows) -> str:
    """A timing-gate export the built-in layout does not know: day-first dates, times in ms."""
    lines = ["Runner;Datum;Zeit 30m (ms)"]
    lines += [f"{who};{day():%d.%m.%Y} 09:{n:02d};{ms}" for n, (who, ms) in enumerate(rows)]
    return "\n".join(lines) + "\n"


GATES_MAP = {
    "athlete_column": "Runner",
    "athlete_by": "name",
    "time_column": "Datum",
    "time_format": "dmy",
    "metric_code": "split_30m",
    "value_column": "Zeit 30m (ms)",
    "unit": "ms",
}


# --- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, unit, to, expected",
    [
        (4210, "ms", "s", 4.21),
        (36, "km/h", "m/s", 10.0),
        (10, "kgf", "N", 98.0665),
        (10, "lbf", "N", 44.482216152605),
        (4.21, " S ", "s", 4.21),
        (150, "cm", "m", 1.5),
        (12, "KPH", "m/s", 12 / 3.6),
    ],
)
def test_units_convert_to_the_registry_unit(value, unit, to, expected):
    assert units.convert(value, unit, to) == pytest.approx(expected)


@pytest.mark.parametrize("unit, to", [("ms", "N"), ("kgf", "s"), ("furlong", "m"), ("s", "%")])
def test_a_unit_that_measures_something_else_is_refused(unit, to):
    with pytest.raises(units.UnitError):
        units.convert(1.0, unit, to)


# --- the map is checked strictly -----------------------------------------------------------

HEADER = ["Runner", "Datum", "Test", "Wert", "Einheit", "Wert"]


@pytest.mark.parametrize(
    "mapping, key",
    [
        ([1, 2], "mapping"),
        ({"athlete": {"column": "Runner"}, "colour": "red"}, "mapping"),
        ({"athlete": {"column": "Nobody"}, "time": {"column": "Datum"}}, "athlete"),
        (
            {"athlete": {"column": "Runner", "by": "external"}, "time": {"column": "Datum"}},
            "athlete",
        ),
        ({"athlete": {"column": "Runner"}, "time": {"column": "Datum", "format": "yy"}}, "time"),
        (
            {
                "athlete": {"column": "Runner"},
                "time": {"column": "Datum"},
                "metric": {"code": "split_30m"},
                "value": {"column": "Wert"},
            },
            "value",
        ),
        (
            {
                "athlete": {"column": "Runner"},
                "time": {"column": "Datum"},
                "metric": {"code": "no_such"},
                "value": {"column": "Test"},
            },
            "metric",
        ),
        (
            {
                "athlete": {"column": "Runner"},
                "time": {"column": "Datum"},
                "metric": {"code": "knee_flexor_strength"},
                "value": {"column": "Test"},
                "unit": {"unit": "ms"},
            },
            "unit",
        ),
        (
            {
                "athlete": {"column": "Runner"},
                "time": {"column": "Datum"},
                "metric": {"code": "split_30m"},
                "value": {"column": "Test"},
                "splits": {"Test": 10, "Einheit": 20},
            },
            "splits",
        ),
        (
            {
                "athlete": {"column": "Runner"},
                "time": {"column": "Datum"},
                "splits": {"Test": 10, "Einheit": -5},
            },
            "splits",
        ),
        (
            {
                "athlete": {"column": "Runner"},
                "time": {"column": "Datum"},
                "splits": {"Test": 10, "Einheit": 20},
                "unit": {"unit": "km/h"},
            },
            "unit",
        ),
    ],
)
def test_a_bad_map_is_refused_at_its_part(mapping, key):
    with pytest.raises(ValidationError) as refused:
        csv_import.clean_mapping(mapping, HEADER)
    assert key in refused.value.message_dict


def test_a_unit_the_metric_cannot_take_is_a_field_error_on_the_page_and_nothing_is_stored(
    client, coach, world
):
    client.force_login(coach)
    page = upload(client, gates_file(world, ("Maya Okafor", 4210)))
    assert "map_form" in page.context and "preview" not in page.context
    refused = map_post(
        client, page, **(GATES_MAP | {"metric_code": "knee_flexor_strength", "name": "Gates"})
    )
    assert refused.status_code == 400
    assert "unit" in refused.context["map_form"].errors
    assert not Measurement.objects.exists() and not ImportProfile.objects.exists()


def test_a_forged_map_sent_with_the_confirmation_is_checked_again(client, coach, world):
    client.force_login(coach)
    text = gates_file(world, ("Maya Okafor", 4210))
    refused = client.post(
        URL,
        {
            "content": text,
            "file_name": "x.csv",
            "key": "8c5a3bb2-5c5a-4c39-9d1c-1a1f3b1f0c11",
            "mapping": json.dumps({"athlete": {"column": "Nobody"}}),
            "confirm": "1",
        },
    )
    assert refused.status_code == 400
    assert not refused.context["preview"].ok
    not_json = client.post(URL, {"content": text, "mapping": "{not json", "confirm": "1"})
    assert not_json.status_code == 400 and "mapping" in not_json.context["form"].errors
    assert not Measurement.objects.exists()


# --- map once, save, the next file needs no mapping ----------------------------------------


def test_map_once_save_the_profile_and_the_next_file_imports_with_no_mapping(client, coach, world):
    client.force_login(coach)
    page = upload(client, gates_file(world, ("Maya Okafor", 4210), ("Theo Banks", 4480)))
    mapped = map_post(client, page, **(GATES_MAP | {"name": "Brower gates", "team": world.team.pk}))
    assert mapped.status_code == 200
    preview = mapped.context["preview"]
    assert preview.ok and [r.value for r in preview.rows] == [4.21, 4.48]  # ms → s
    assert mapped.context["layout_name"] == "Brower gates"
    done = confirm(client, mapped)
    assert len(done.context["imported"]) == 2
    profile = ImportProfile.objects.get()
    assert profile.team == world.team and profile.signature == ["runner", "datum", "zeit 30m (ms)"]

    second = upload(client, gates_file(world, ("Maya Okafor", 4150)), name="next.csv")
    assert "map_form" not in second.context
    assert second.context["preview"].ok and second.context["layout_name"] == "Brower gates"
    assert b"Brower gates" in second.content
    confirm(client, second)
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [4.15, 4.21, 4.48]


def test_the_same_preview_confirmed_twice_stores_once(client, coach, world):
    client.force_login(coach)
    page = upload(client, gates_file(world, ("Maya Okafor", 4210)))
    mapped = map_post(client, page, **GATES_MAP)
    confirm(client, mapped)
    again = confirm(client, mapped)
    assert again.context["already"].rows == 1
    assert Measurement.objects.count() == 1 and ImportBatch.objects.count() == 1


def test_a_profile_name_taken_in_the_team_is_a_field_error(client, coach, world):
    ImportProfile.objects.create(team=world.team, name="Gates", signature=["x"], mapping={})
    client.force_login(coach)
    page = upload(client, gates_file(world, ("Maya Okafor", 4210)))
    refused = map_post(client, page, **(GATES_MAP | {"name": "gates", "team": world.team.pk}))
    assert refused.status_code == 400 and "name" in refused.context["map_form"].errors
    assert ImportProfile.objects.count() == 1 and not Measurement.objects.exists()


# --- scoping -------------------------------------------------------------------------------


def test_another_teams_profile_is_not_used_and_its_athletes_are_not_found(client, world):
    mapping = {
        "athlete": {"column": "Runner", "by": "name"},
        "time": {"column": "Datum", "format": "dmy"},
        "metric": {"code": "split_30m"},
        "value": {"column": "Zeit 30m (ms)"},
        "unit": {"unit": "ms"},
    }
    ImportProfile.objects.create(
        team=world.other_team,
        name="Theirs",
        signature=["runner", "datum", "zeit 30m (ms)"],
        mapping=mapping,
    )
    client.force_login(world.coach)
    page = upload(client, gates_file(world, ("Maya Okafor", 4210)))
    assert "map_form" in page.context and "preview" not in page.context
    # Their athlete, by name, through a map: unknown here.
    mapped = map_post(client, upload(client, gates_file(world, ("Omar Quist", 4210))), **GATES_MAP)
    assert mapped.status_code == 400
    assert "athlete" in mapped.context["preview"].rows[0].errors
    assert not Measurement.objects.exists()


def test_a_profile_cannot_be_saved_for_another_team(client, world):
    client.force_login(world.coach)
    page = upload(client, gates_file(world, ("Maya Okafor", 4210)))
    refused = map_post(client, page, **(GATES_MAP | {"name": "Mine", "team": world.other_team.pk}))
    assert refused.status_code == 400 and "team" in refused.context["map_form"].errors
    assert not ImportProfile.objects.exists()
    with pytest.raises(ValidationError) as error:
        import_profiles.save_profile(
            by=world.coach, team=world.other_team, name="Mine", header=["a"], mapping={}
        )
    assert "team" in error.value.message_dict


def test_an_outsider_cannot_set_an_athletes_device_id(client, world):
    client.force_login(world.outsider_coach)
    url = reverse("coach:athlete-external-id", args=[world.athlete.pk])
    assert client.post(url, {"system": "1080 Motion", "external_id": "X1"}).status_code == 404
    assert not ExternalId.objects.exists()


# --- device ids ----------------------------------------------------------------------------


def test_device_ids_find_athletes_and_an_unknown_id_is_a_row_error(client, coach, world):
    client.force_login(coach)
    url = reverse("coach:athlete-external-id", args=[world.athlete.pk])
    saved = client.post(url, {"system": "1080 Motion", "external_id": "C-17"})
    assert saved.status_code == 302
    edit = client.get(reverse("coach:athlete-edit", args=[world.athlete.pk]))
    assert b"C-17" in edit.content
    # The same id for a teammate: a field error, nothing stored.
    taken = client.post(
        reverse("coach:athlete-external-id", args=[world.teammate.pk]),
        {"system": "1080 motion", "external_id": "C-17"},
    )
    assert taken.status_code == 400 and "external_id" in taken.context["id_form"].errors
    # An outsider's athlete with the same id in the same system is another team's business.
    ExternalId.objects.create(
        athlete=world.outsider, team=world.other_team, system="1080 Motion", external_id="C-99"
    )
    text = f"Runner;Datum;Zeit 30m (ms)\nC-17;{day():%d.%m.%Y};4210\nC-99;{day():%d.%m.%Y};4300\n"
    page = upload(client, text)
    mapped = map_post(
        client, page, **(GATES_MAP | {"athlete_by": "external", "athlete_system": "1080 Motion"})
    )
    rows = mapped.context["preview"].rows
    assert rows[0].athlete == world.athlete and not rows[0].errors
    assert "athlete" in rows[1].errors
    assert mapped.status_code == 400 and not Measurement.objects.exists()


def test_an_empty_device_id_removes_it(coach, world):
    athlete_services.set_external_id(world.athlete, by=coach, system="Freelap", external_id="7")
    athlete_services.set_external_id(world.athlete, by=coach, system="freelap", external_id="")
    assert not ExternalId.objects.exists()


# --- a metric column and a unit column ------------------------------------------------------


def test_a_unit_column_converts_each_row_and_a_wrong_unit_is_a_row_error(coach, world):
    text = (
        "who,when,test,result,unit,leg\n"
        f"{world.athlete.pk},{day()} 09:00,knee_flexor_strength,30,kgf,left\n"
        f"{world.athlete.pk},{day()} 09:01,knee_flexor_strength,70,lbf,right\n"
        f"{world.athlete.pk},{day()} 09:02,peak_velocity,32.4,km/h,\n"
        f"{world.athlete.pk},{day()} 09:03,split_30m,4210,kgf,\n"
    )
    mapping = {
        "athlete": {"column": "who", "by": "id"},
        "time": {"column": "when"},
        "metric": {"column": "test"},
        "value": {"column": "result"},
        "unit": {"column": "unit"},
        "side": {"column": "leg"},
    }
    preview = csv_import.parse_measurements_csv(
        text.encode(), athletes=[world.athlete], mapping=mapping
    )
    values = [r.value for r in preview.rows[:3]]
    assert values == pytest.approx([30 * 9.80665, 70 * 4.4482216152605, 9.0])
    assert "unit" in preview.rows[3].errors and not preview.ok


# --- split columns become sprint trials -----------------------------------------------------


def test_split_columns_become_sprint_trials_through_record_sprint_trial(client, coach, world):
    client.force_login(coach)
    text = (
        "Athlete,Time,10 m,20 m,30 m\n"
        f"Maya Okafor,{day()} 09:00,1850,3080,4210\n"
        f"Theo Banks,{day()} 09:05,1900,3150,4300\n"
    )
    page = upload(client, text)
    mapped = map_post(
        client,
        page,
        athlete_column="Athlete",
        athlete_by="name",
        time_column="Time",
        time_format="iso",
        unit="ms",
        split_2="10",
        split_3="20",
        split_4="30",
        start="standing",
    )
    assert mapped.status_code == 200 and mapped.context["preview"].is_sprint
    done = confirm(client, mapped)
    assert len(done.context["trials"]) == 2
    trial = SprintTrial.objects.get(athlete=world.athlete)
    assert trial.splits == [
        {"distance_m": 10.0, "time_s": 1.85},
        {"distance_m": 20.0, "time_s": 3.08},
        {"distance_m": 30.0, "time_s": 4.21},
    ]
    assert trial.mss is not None  # fitted on the way in
    again = upload(client, text)  # the same runs once more: duplicates of the stored trials
    again_mapped = map_post(
        client,
        again,
        athlete_column="Athlete",
        athlete_by="name",
        time_column="Time",
        time_format="iso",
        unit="ms",
        split_2="10",
        split_3="20",
        split_4="30",
    )
    assert [r.duplicate for r in again_mapped.context["preview"].rows] == ["already stored"] * 2


# --- a shipped vendor layout ----------------------------------------------------------------


def test_a_1080_motion_linear_sprint_export_is_recognised_and_mapped_once(client, coach, world):
    """A file written from 1080 Motion's documented linear sprint columns: recognised, the
    documented part of the map prefilled; the athlete and date columns (the export's common
    columns, not in that documentation) are mapped once and saved; the next file needs no
    mapping."""
    client.force_login(coach)
    text = (FILES / "1080_linear_sprint.csv").read_text().replace("{day}", day().isoformat())
    page = upload(client, text, name="1080.csv")
    assert page.context["shipped"].slug == "1080-motion-linear-sprint"
    form = page.context["map_form"]
    assert form.initial["metric_code"] == "peak_velocity"
    assert form.initial["value_column"] == "TopSpeed" and form.initial["unit"] == "m/s"
    assert b"docs.1080motion.com" in page.content
    mapped = map_post(
        client,
        page,
        athlete_column="Client",
        athlete_by="name",
        time_column="Date",
        time_format="iso",
        metric_code="peak_velocity",
        value_column="TopSpeed",
        unit="m/s",
        name="1080 sprints",
        team=world.team.pk,
    )
    assert mapped.status_code == 200, mapped.context["map_form"].errors
    confirm(client, mapped)
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [8.47, 8.91, 9.04]
    assert set(Measurement.objects.values_list("metric__code", flat=True)) == {"peak_velocity"}
    second = upload(client, text.replace("8.91", "8.95").replace(" 09:", " 10:"), name="next.csv")
    assert "map_form" not in second.context and second.context["layout_name"] == "1080 sprints"
    assert second.context["preview"].ok


# --- queries --------------------------------------------------------------------------------


def test_preview_and_import_of_200_rows_take_a_bounded_number_of_queries(
    coach, world, django_assert_max_num_queries
):
    ExternalId.objects.create(
        athlete=world.athlete, team=world.team, system="Gates", external_id="G1"
    )
    ExternalId.objects.create(
        athlete=world.teammate, team=world.team, system="Gates", external_id="G2"
    )
    lines = ["id;date;ms"] + [
        f"G{1 + n % 2};{day(1 + n // 50):%d.%m.%Y} 08:{n % 50:02d};{4000 + n}" for n in range(200)
    ]
    mapping = {
        "athlete": {"column": "id", "by": "external", "system": "gates"},
        "time": {"column": "date", "format": "dmy"},
        "metric": {"code": "split_30m"},
        "value": {"column": "ms"},
        "unit": {"unit": "ms"},
    }
    import uuid

    with django_assert_max_num_queries(12):
        preview = csv_import.parse_measurements_csv(
            ("\n".join(lines) + "\n").encode(),
            athletes=[world.athlete, world.teammate],
            mapping=mapping,
        )
        assert preview.ok, preview.error_rows[:1]
        csv_import.import_measurements(preview, by=coach, key=uuid.uuid4())
    assert Measurement.objects.count() == 200


def test_a_sprint_file_holds_at_most_max_sprint_rows_runs(world):
    """Each run is fitted when stored: a file of more runs than a request has time for is
    refused whole, before anything is written."""
    rows = "".join(
        f"Maya Okafor,{day()} 09:{n % 60:02d}:{n // 60:02d},1.85,3.08\n"
        for n in range(csv_import.MAX_SPRINT_ROWS + 1)
    )
    mapping = {
        "athlete": {"column": "who", "by": "name"},
        "time": {"column": "when"},
        "splits": {"10 m": 10, "20 m": 20},
    }
    preview = csv_import.parse_measurements_csv(
        ("who,when,10 m,20 m\n" + rows).encode(), athletes=[world.athlete], mapping=mapping
    )
    assert not preview.ok
    assert preview.file_errors == [f"More than {csv_import.MAX_SPRINT_ROWS} rows; split the file."]


def test_a_large_preview_lists_its_errors_and_duplicates_and_the_first_valid_rows(
    client, coach, world
):
    client.force_login(coach)
    count = csv_import.SHOWN_ROWS + 50
    lines = [f"{world.athlete.pk},split_30m,4.{n % 90 + 10},,{day(1 + n // 100)} 09:{n % 60:02d}"
             for n in range(count)]  # fmt: skip
    lines[-1] = f"{world.athlete.pk},split_30m,99,,{day()} 10:00"  # implausible: an error
    text = "athlete_id,metric,value,side,measured_at\n" + "\n".join(lines) + "\n"
    page = upload(client, text)
    preview = page.context["preview"]
    shown = preview.shown_rows
    assert preview.rows[-1] in shown and preview.rows[-1].errors
    assert len(shown) == csv_import.SHOWN_ROWS + len(preview.error_rows) + len(
        [r for r in preview.rows if r.duplicate and not r.errors]
    )
    assert f"And {preview.hidden_count} more valid rows, not listed.".encode() in page.content


def test_one_split_a_row_makes_one_trial_per_athlete_and_time(client, coach, world):
    """A timing system exporting one split a row (distance, time): the rows of one athlete at
    one time are one trial, checked and stored as any trial."""
    client.force_login(coach)
    text = (
        "Athlete;Time;Gate (m);Split (ms)\n"
        f"Maya Okafor;{day()} 09:00;20;3080\n"
        f"Maya Okafor;{day()} 09:00;10;1850\n"
        f"Maya Okafor;{day()} 09:00;30;4210\n"
        f"Theo Banks;{day()} 09:05;10;1900\n"
        f"Theo Banks;{day()} 09:05;20;3150\n"
    )
    page = upload(client, text)
    mapped = map_post(
        client,
        page,
        athlete_column="Athlete",
        athlete_by="name",
        time_column="Time",
        time_format="iso",
        split_distance_column="Gate (m)",
        value_column="Split (ms)",
        unit="ms",
        start="crouch",
    )
    assert mapped.status_code == 200, mapped.context["map_form"].errors
    preview = mapped.context["preview"]
    assert [r.line for r in preview.rows] == [2, 5] and preview.is_sprint
    assert [s["distance_m"] for s in preview.rows[0].splits] == [10, 20, 30]
    done = confirm(client, mapped)
    assert len(done.context["trials"]) == 2
    trial = SprintTrial.objects.get(athlete=world.athlete)
    assert trial.start == "crouch" and [s["time_s"] for s in trial.splits] == [1.85, 3.08, 4.21]


def test_one_split_a_row_with_a_bad_run_stores_nothing(coach, world):
    text = (
        "who,when,gate,time\n"
        f"Maya Okafor,{day()} 09:00,10,1.85\n"
        f"Maya Okafor,{day()} 09:00,20,1.70\n"  # faster at 20 m than at 10 m
        f"Theo Banks,{day()} 09:05,10,fast\n"
    )
    mapping = {
        "athlete": {"column": "who", "by": "name"},
        "time": {"column": "when"},
        "split_distance": {"column": "gate"},
        "value": {"column": "time"},
    }
    preview = csv_import.parse_measurements_csv(
        text.encode(), athletes=[world.athlete, world.teammate], mapping=mapping
    )
    assert not preview.ok
    assert "splits" in preview.rows[0].errors and "splits" in preview.rows[1].errors
    with pytest.raises(ValidationError):
        csv_import.import_measurements(preview, by=coach, key=preview.key)
    assert not SprintTrial.objects.exists()
    with pytest.raises(ValidationError) as refused:
        csv_import.clean_mapping(
            {**mapping, "metric": {"code": "split_30m"}}, ["who", "when", "gate", "time"]
        )
    assert "split_distance" in refused.value.message_dict
