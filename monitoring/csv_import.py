"""CSV import of measurements (timing gates, force plates): preview with row-level errors,
then all rows or none (PRODUCT.md §2.5).

Columns (header row required, names case-insensitive):
- `athlete_id` or `athlete` (the athlete's id, or "First Last" as on the roster);
- `metric` (a registry code, e.g. split_30m; `metric_code` is accepted too);
- `value` (a number; a decimal comma is accepted);
- `side` (optional: left, right, L, R or empty);
- `measured_at` (ISO date `2026-11-20` or date and time `2026-11-20 09:30`; a date alone
  means 12:00 local time).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .models import Measurement, MetricKind
from .services import CLOCK_SKEW, record_measurement

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
SIDES = {"": "", "left": "left", "l": "left", "right": "right", "r": "right"}
ALIASES = {
    "athlete_id": "athlete",
    "athlete": "athlete",
    "athlete_name": "athlete",
    "name": "athlete",
    "metric": "metric",
    "metric_code": "metric",
    "code": "metric",
    "value": "value",
    "side": "side",
    "measured_at": "measured_at",
    "date": "measured_at",
}


@dataclass
class ImportRow:
    line: int
    raw: dict
    athlete: object = None
    metric: MetricKind | None = None
    value: float | None = None
    side: str = ""
    measured_at: dt.datetime | None = None
    errors: dict = field(default_factory=dict)


@dataclass
class ImportPreview:
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)

    @property
    def error_rows(self) -> list:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.file_errors and not self.error_rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file is not text (UTF-8 or Windows-1252 expected).")


def _parse_when(text: str, *, now: dt.datetime) -> dt.datetime:
    text = text.strip()
    if not text:
        raise ValueError("A date is required.")
    when = parse_datetime(text.replace("T", " ", 1)) if len(text) > 10 else None
    if when is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(f"“{text}” is not a date (use 2026-11-20 or 2026-11-20 09:30).")
        when = dt.datetime.combine(day, dt.time(12))
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now + CLOCK_SKEW:
        raise ValueError("The date is in the future.")
    return when


def parse_measurements_csv(data: bytes, *, athletes, now=None) -> ImportPreview:
    """Read and check every row against `athletes` (a queryset already scoped to the user)
    and the metric registry. Nothing is written. Never raises on bad content: problems are
    reported per row (or for the whole file)."""
    now = now or timezone.now()
    preview = ImportPreview()
    if len(data) > MAX_BYTES:
        preview.file_errors.append("The file is larger than 2 MB; split it.")
        return preview
    try:
        text = _decode(data)
    except ValidationError as error:
        preview.file_errors.extend(error.messages)
        return preview
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        preview.file_errors.append("The file is empty.")
        return preview
    columns = [ALIASES.get(h.strip().lower()) for h in header]
    missing = {"athlete", "metric", "value", "measured_at"} - set(columns)
    if missing:
        preview.file_errors.append(
            "Missing column(s): "
            + ", ".join(sorted(missing))
            + ". Expected athlete_id (or athlete), metric, value, side, measured_at."
        )
        return preview

    by_id = {str(a.pk): a for a in athletes}
    by_name: dict[str, list] = {}
    for a in by_id.values():
        by_name.setdefault(f"{a.first_name} {a.last_name}".casefold().strip(), []).append(a)
    metrics = {m.code: m for m in MetricKind.objects.all()}

    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(preview.rows) >= MAX_ROWS:
                preview.file_errors.append(f"More than {MAX_ROWS} rows; split the file.")
                break
            raw = {
                col: values[i].strip() if i < len(values) else ""
                for i, col in enumerate(columns)
                if col
            }
            preview.rows.append(_check_row(number, raw, by_id, by_name, metrics, now))
    except csv.Error as error:
        preview.file_errors.append(f"The file could not be read as CSV: {error}")
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append("The file has a header but no rows.")
    return preview


def _check_row(number, raw, by_id, by_name, metrics, now) -> ImportRow:
    row = ImportRow(line=number, raw=raw)
    who = raw.get("athlete", "")
    if who in by_id:
        row.athlete = by_id[who]
    else:
        matches = by_name.get(" ".join(who.split()).casefold(), [])
        if len(matches) == 1:
            row.athlete = matches[0]
        elif len(matches) > 1:
            row.errors["athlete"] = f"{len(matches)} athletes are named “{who}”: use athlete_id."
        else:
            row.errors["athlete"] = f"Unknown athlete “{who}”."
    code = raw.get("metric", "").strip().lower()
    row.metric = metrics.get(code)
    if row.metric is None:
        row.errors["metric"] = f"Unknown metric “{raw.get('metric', '')}”."
    text = raw.get("value", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as spreadsheets in Europe export
    try:
        row.value = float(text)
        if not math.isfinite(row.value):
            raise ValueError
    except ValueError:
        row.errors["value"] = f"“{raw.get('value', '')}” is not a number."
    side = raw.get("side", "").strip().lower()
    if side in SIDES:
        row.side = SIDES[side]
    else:
        row.errors["side"] = f"Side must be left, right or empty, not “{raw.get('side')}”."
    try:
        row.measured_at = _parse_when(raw.get("measured_at", ""), now=now)
    except ValueError as error:
        row.errors["measured_at"] = str(error)
    return row


def import_measurements(preview: ImportPreview, *, by, now=None) -> list[Measurement]:
    """Store every row of a clean preview, or none: one transaction, and any row the model
    refuses rolls back the whole file (ValidationError names the line)."""
    if not preview.ok:
        raise ValidationError("Fix the errors in the file first; nothing was imported.")
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        for row in preview.rows:
            try:
                created.append(
                    record_measurement(
                        row.athlete,
                        by=by,
                        metric=row.metric,
                        value=row.value,
                        side=row.side,
                        measured_at=row.measured_at,
                        source=Measurement.Source.CSV,
                        now=now,
                    )
                )
            except ValidationError as error:
                raise ValidationError(
                    f"Line {row.line}: {'; '.join(error.messages)} Nothing was imported."
                ) from None
    return created
