"""Hypothesis strategies for what a browser (or someone posing as one) can send: for each form
field, values it is meant to take and values it never should — text, huge and tiny numbers,
unicode, empty, wrong types, very long strings, several values for one name, NUL bytes."""

import datetime as dt
import os

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st

# `HYPOTHESIS_PROFILE=explore` runs ten times the examples (tests/conftest.py).
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "explore" else 1


def examples(n: int) -> settings:
    return settings(max_examples=n * SCALE)


# Anything a form field can receive as text; no lone surrogates (a browser cannot send them).
TEXT = st.characters(exclude_categories=("Cs",))
ODD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "1e309",
    "-1e309",
    "1e-320",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    str(2**31),
    str(2**63),
    str(2**63 - 1),
    str(-(2**63) - 1),
    str(2**70),
    str(-(2**70)),
    "9" * 400,
    "0x1F",
    "1_000",
    "１２",  # full-width digits
    "٣",  # Arabic-Indic three
    "1,5",
    "1.5",
    " 7 ",
    "true",
    "on",
    "None",
    "null",
    "[]",
    "{}",
    "\x00",
    "a\x00b",
    "0001-01-01",
    "0001-01-01T00:00:00+05:00",
    "0001-01-01 00:00",
    "9999-12-31",
    "9999-12-31T23:59:59-05:00",
    "2026-02-30",
    "2026-11-26T25:61",
    "2026-11-26T12:00:00+99:00",
    "1900-01-01",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "😀" * 5,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "../../etc/passwd",
    "00000000-0000-0000-0000-000000000000",
]
GARBAGE = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(TEXT, max_size=30),
    st.integers().map(str),
    st.floats().map(repr),
    st.builds(lambda c, n: c * n, st.text(TEXT, min_size=1, max_size=3), st.integers(500, 20000)),
)


def _choices(field) -> list[str]:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            values += [str(v) for v, _ in label]
        else:
            values.append(str(value))
    return values


def _datetimes():
    offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m))
    )
    moments = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31))
    return st.one_of(
        moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),  # <input type="datetime-local">
        moments.map(lambda d: d.isoformat(sep=" ")),
        st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(), moments, offsets),
        st.datetimes(min_value=dt.datetime(1999, 1, 1), max_value=dt.datetime(2031, 1, 1)).map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M")
        ),
    )


def meant_for(field) -> st.SearchStrategy:
    """Values of the kind `field` is meant to take (in and just around its range)."""
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "true", "1", "", "false", "0"])
    if isinstance(field, forms.ChoiceField):  # ModelChoiceField too: the ids it offers
        return st.sampled_from(_choices(field) or [""])
    if isinstance(field, forms.IntegerField):
        low = field.min_value if field.min_value is not None else -5
        high = field.max_value if field.max_value is not None else max(low + 50, 100)
        return st.integers(low - 2, min(high, low + 10**6) + 2).map(str)
    if isinstance(field, forms.FloatField | forms.DecimalField):
        return st.one_of(
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
            st.floats(-50, 500).map(lambda f: f"{f:.2f}"),
        )
    if isinstance(field, forms.DateTimeField):
        return _datetimes()
    if isinstance(field, forms.DateField):
        return st.one_of(
            st.dates().map(lambda d: d.isoformat()),
            st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
            st.dates(min_value=dt.date(1999, 1, 1), max_value=dt.date(2031, 1, 1)).map(str),
        )
    if isinstance(field, forms.UUIDField):
        return st.uuids().map(str)
    if isinstance(field, forms.CharField):
        longest = (field.max_length or 60) + 5
        return st.text(TEXT, max_size=min(longest, 5000))
    return st.text(TEXT, max_size=20)


def plausible(field) -> st.SearchStrategy:
    """Values a person filling the form in would send: many bodies made of these pass the
    form, so the view goes on to its service and its success path."""
    if not field.required:
        return st.one_of(st.just(""), _plausible(field))
    return _plausible(field)


def _plausible(field) -> st.SearchStrategy:
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", ""])
    if isinstance(field, forms.ChoiceField):
        values = [v for v in _choices(field) if v] or [""]
        return st.sampled_from(values)
    if isinstance(field, forms.IntegerField):
        low = field.min_value if field.min_value is not None else 0
        high = field.max_value if field.max_value is not None else low + 60
        return st.integers(low, min(high, low + 1000)).map(str)
    if isinstance(field, forms.FloatField | forms.DecimalField):
        return st.floats(0, 30).map(lambda f: f"{f:.1f}")
    now = timezone.localtime()
    if isinstance(field, forms.DateTimeField):
        return st.integers(0, 60 * 24 * 30).map(
            lambda m: (now - dt.timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M")
        )
    if isinstance(field, forms.DateField):
        return st.integers(0, 30).map(lambda d: (now - dt.timedelta(days=d)).date().isoformat())
    if isinstance(field, forms.UUIDField):
        return st.uuids().map(str)
    if isinstance(field, forms.CharField):
        return st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
            min_size=1,
            max_size=min(field.max_length or 40, 40),
        )
    return st.text(max_size=10)


def value_for(field) -> st.SearchStrategy:
    """One posted value for `field`: absent (None), one value, or several for the same name."""
    one = st.one_of(meant_for(field), meant_for(field), GARBAGE)
    return st.one_of(st.none(), one, one, one, st.lists(one, min_size=2, max_size=3))


def uploads() -> st.SearchStrategy:
    return st.builds(
        lambda name, content: SimpleUploadedFile(name, content, content_type="text/csv"),
        st.one_of(
            st.just("gates.csv"),
            st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="/\\")).map(
                lambda name: f"{name[:40]}.csv"
            ),
        ),
        st.binary(max_size=3000),
    )


def _as_body(values: dict) -> tuple[QueryDict, dict]:
    body, files = QueryDict(mutable=True), {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, SimpleUploadedFile):
            files[key] = value
        else:
            body.setlist(key, value if isinstance(value, list) else [value])
    return body, files


def bodies(fields: dict, *, prefix: str = "") -> st.SearchStrategy:
    """POST bodies (and files) for `fields`: (QueryDict, files), each name with `prefix` as a
    form adds it. A third are what a person would send (mostly valid, so the view reaches
    its service), the rest anything. Build it once per form and draw from it many times
    (building is the slow part)."""
    return st.one_of(
        _bodies(fields, prefix, plausible),
        _bodies(fields, prefix, value_for),
        _bodies(fields, prefix, value_for),
    )


def _bodies(fields, prefix, values_of) -> st.SearchStrategy:
    values = {}
    for name, field in fields.items():
        key = f"{prefix}-{name}" if prefix else name
        if isinstance(field, forms.FileField):
            values[key] = st.one_of(st.none(), uploads())
        elif isinstance(field.widget, forms.MultiWidget):  # the admin's date + time inputs
            for i, part in enumerate(getattr(field, "fields", ())):
                values[f"{key}_{i}"] = values_of(part)
        else:
            values[key] = values_of(field)
    return st.fixed_dictionaries(values).map(_as_body)
