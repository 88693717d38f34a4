"""Evidence in words: gate facts, measurement values and dates as people read them.

The gate engine (rehab.gates) and the sign-off snapshot (rehab.signoff) store their facts as
JSON with ISO dates and raw numbers, for the record and the API. Pages and the printed report
read them through this module: dates in the locale's formats (config/formats), values at the
metric's precision (MetricKind.format_value), facts as short sentences.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format


def parse_iso(value):
    """ISO text (a date, or a date and time) as a date or an aware local datetime; dates and
    datetimes pass through; anything else gives None."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        if "T" in value or " " in value:
            parsed = parse_datetime(value)
            if parsed is not None:
                if timezone.is_naive(parsed):
                    parsed = timezone.make_aware(parsed)
                return timezone.localtime(parsed)
        return parse_date(value)
    except ValueError:
        return None


def day_text(value, fmt: str = "DATE_FORMAT") -> str:
    """The calendar day of a date, datetime or ISO text in the locale's format ("20 Nov 2026");
    "–" when there is none."""
    parsed = parse_iso(value)
    if parsed is None:
        return "–"
    if isinstance(parsed, dt.datetime):
        parsed = parsed.date()
    return date_format(parsed, fmt)
