"""The CSV import never raises and its page never answers 500, whatever the file: arbitrary
bytes, any encoding (UTF-8 with or without BOM, UTF-16, Windows-1252, Latin-1, binary),
header layouts and delimiters, huge or tiny values, NUL bytes, very long lines. Preview and
confirm alike."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from athletes.access import visible_athletes
from athletes.models import STAFF_ROLES
from monitoring import csv_import
from monitoring.models import ImportBatch, Measurement

from .strategies import GARBAGE, TEXT, examples

URL = reverse("coach:measurement-import")
COLUMNS = [
    "athlete_id",
    "athlete",
    "Athlete_Name",
    " name ",
    "metric",
    "METRIC_CODE",
    "code",
    "value",
    "side",
    "measured_at",
    "date",
    "notes",
    "",
    "value",  # a repeated column
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]


def cells(world):
    athletes = [world.home.athlete, world.home.unplanned, world.away.athlete]
    return {
        "athlete": st.one_of(
            st.sampled_from([str(a.pk) for a in athletes]),
            st.sampled_from([a.full_name for a in athletes]),
            GARBAGE,
        ),
        "metric": st.one_of(st.sampled_from(["split_30m", "h_test", "cmj", "SPLIT_30M"]), GARBAGE),
        "value": st.one_of(
            st.floats().map(repr),
            st.floats(0, 20).map(lambda f: f"{f:.2f}".replace(".", ",")),
            st.sampled_from(["4.2", "4,2", "1e309", "-1e309", "1e-320", "nan", "0", "1"]),
            GARBAGE,
        ),
        "side": st.one_of(st.sampled_from(["", "left", "R", "l", "right", "both"]), GARBAGE),
        "measured_at": st.one_of(
            st.sampled_from(
                [
                    "2026-11-20",
                    "2026-11-20 09:30",
                    "0001-01-01T00:00:00+05:00",
                    "0001-01-01",
                    "9999-12-31T23:59:59-05:00",
                    "2026-11-20T09:30:00+23:59",
                    "1999-12-31 23:59",
                    "2026-13-45",
                ]
            ),
            st.datetimes().map(lambda d: d.isoformat()),
            GARBAGE,
        ),
    }


def csv_files(world):
    """Bytes that look more or less like a measurements CSV."""
    values = cells(world)
    any_cell = st.one_of(*values.values(), st.text(TEXT, max_size=20))

    @st.composite
    def build(draw):
        header = draw(st.lists(st.sampled_from(COLUMNS), min_size=0, max_size=7))
        if draw(st.booleans()):  # usually the columns the import needs, in any order
            header = draw(st.permutations(["athlete_id", "metric", "value", "side", "measured_at"]))
        delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
        rows = []
        for _ in range(draw(st.integers(0, 6))):
            row = [
                draw(values.get(csv_import.ALIASES.get(c.strip().lower()), any_cell))
                for c in header
            ]
            if draw(st.integers(0, 9)) == 0:
                row = row[: draw(st.integers(0, len(row)))]  # a short row
            rows.append(row)
        newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        text = newline.join(delimiter.join(r) for r in [header, *rows])
        if draw(st.integers(0, 9)) == 0:
            text += newline + "x" * draw(st.sampled_from([131_073, 300_000]))  # a huge cell
        if draw(st.integers(0, 9)) == 0:
            text = text.replace(delimiter, "\x00", 1)
        data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
        if draw(st.integers(0, 9)) == 0:
            data += draw(st.binary(max_size=64))
        return data

    @st.composite
    def clean(draw):  # what a timing-gate export looks like: confirm stores it
        lines = ["athlete_id,metric,value,side,measured_at"]
        for _ in range(draw(st.integers(1, 5))):
            metric, low, high, side = draw(
                st.sampled_from(
                    [("split_30m", 3, 11, ""), ("knee_flexor_strength", 10, 1500, "left")]
                )
            )
            value = draw(st.floats(low, high)) if draw(st.integers(0, 4)) else low
            day = draw(st.integers(1, 300))
            lines.append(f"{athletes[0].pk},{metric},{value:.2f},{side},{day_before(day)}")
        return "\n".join(lines).encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])))

    athletes = [world.home.athlete]
    return st.one_of(build(), clean(), st.binary(max_size=2000))


def day_before(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def test_parsing_never_raises_whatever_the_bytes(world):
    athletes = visible_athletes(world.home.coach, STAFF_ROLES)

    @given(data=csv_files(world))
    @examples(60)
    def check(data):
        preview = csv_import.parse_measurements_csv(data, athletes=athletes)
        assert preview.file_errors or preview.rows or data.strip() == b""
        for row in preview.rows:
            assert all(isinstance(m, str) and m for m in row.errors.values())

    check()


def test_the_import_page_never_answers_500_at_preview_or_confirm(world):
    client = Client()
    client.force_login(world.home.coach)

    @given(
        data=csv_files(world),
        name=st.sampled_from(["gates.csv", "ünïcødé.CSV", "x" * 300, "noext"]),
        include=st.lists(st.one_of(st.integers(-5, 10).map(str), GARBAGE), max_size=3),
        htmx=st.booleans(),
        again=st.booleans(),
    )
    @examples(25)
    def check(data, name, include, htmx, again):
        headers = {"HX-Request": "true"} if htmx else {}
        preview = client.post(URL, {"file": SimpleUploadedFile(name, data)}, headers=headers)
        assert preview.status_code in (200, 400)
        body = {
            "content": data.decode("utf-8-sig", errors="replace").replace("\x00", ""),
            "file_name": name,
            "key": str(uuid.uuid4()),
            "confirm": "1",
            "include_lines": include,
        }
        for _ in range(2 if again else 1):  # the second: the back button, then Import again
            assert client.post(URL, body, headers=headers).status_code in (200, 400)

    check()


@pytest.mark.parametrize(
    "when, message",
    [
        ("0001-01-01T00:00:00+05:00", "The date must be from 1 Jan 2000 on."),
        ("0001-01-01", "The date must be from 1 Jan 2000 on."),
        ("9999-12-31T23:59:59-05:00", "The date is in the future."),
    ],
)
def test_a_time_outside_the_plausible_range_is_a_row_error_at_preview_and_confirm(
    world, when, message
):
    athlete = world.home.athlete
    text = f"athlete_id,metric,value,side,measured_at\n{athlete.pk},split_30m,4.2,,{when}\n"
    preview = csv_import.parse_measurements_csv(
        text.encode(), athletes=visible_athletes(world.home.coach, STAFF_ROLES)
    )
    assert [r.errors for r in preview.rows] == [{"measured_at": message}]
    client = Client()
    client.force_login(world.home.coach)
    before = Measurement.objects.count()
    page = client.post(URL, {"file": SimpleUploadedFile("gates.csv", text.encode())})
    assert page.status_code == 400 and message in page.content.decode()
    confirm = client.post(
        URL, {"content": text, "file_name": "gates.csv", "key": uuid.uuid4(), "confirm": "1"}
    )
    assert confirm.status_code == 400 and message in confirm.content.decode()
    assert Measurement.objects.count() == before
    assert not ImportBatch.objects.exists()


JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
PARTS = st.sampled_from(
    ["athlete", "time", "metric", "value", "side", "unit", "splits", "split_distance", "start", "column", "by",
     "system", "format", "code", "values", "a", "10 m"]
)  # fmt: skip
MAP_PARTS = st.dictionaries(PARTS, st.one_of(JSON, st.dictionaries(PARTS, JSON, max_size=4)))


@pytest.mark.django_db
@given(mapping=st.one_of(JSON, MAP_PARTS))
@examples(200)
def test_a_column_map_of_any_shape_is_refused_with_a_validation_error_or_accepted(mapping):
    """Whatever JSON the confirmation carries as its map: a ValidationError, never a crash."""
    header = ["a", "10 m", "20 m", "athlete", "time", "value"]
    try:
        cleaned = csv_import.clean_mapping(mapping, header, metrics={})
    except ValidationError as refused:
        assert set(refused.message_dict) <= {*csv_import.MAPPING_KEYS, "mapping"}
    else:  # with no metrics known, only a map of split columns can be accepted
        assert cleaned.is_sprint and all(0 <= i < len(header) for i, _d in cleaned.splits)
