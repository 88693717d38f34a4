"""CSV import of measurements (timing gates, force plates): preview with row-level errors,
then all rows or none (PRODUCT.md §2.5), exactly once.

Columns (header row required, names case-insensitive):
- `athlete_id` or `athlete` (the athlete's id, or "First Last" as on the roster);
- `metric` (a registry code, e.g. split_30m; `metric_code` is accepted too);
- `value` (a number; a decimal comma is accepted);
- `side` (optional: left, right, L, R or empty);
- `measured_at` (ISO date `2026-11-20` or date and time `2026-11-20 09:30`; a date alone
  means 12:00 local time).

Every row is held to the registry's plausible range and side rule (MetricKind.value_errors),
like a typed measurement. Imports happen once:
- the preview hands out a one-time key; confirming stores an ImportBatch under that key in the
  same transaction as the rows, so a second confirm (back button, double click, two tabs)
  stores nothing and says when the file was imported;
- rows identical to a stored measurement (athlete, metric, side, time, value), or to an
  earlier row of the file, are marked as duplicates and skipped unless the coach ticks them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.db import AlreadyStored, insert_unless_exists
from core.plausibility import EARLIEST_LOG_TIME

from .models import ImportBatch, Measurement, MetricKind
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
    duplicate: str = ""  # why the row is a duplicate ("already stored", "same as line 4")

    def identity(self) -> tuple:
        return (self.athlete.pk, self.metric.pk, self.side, self.measured_at, self.value)


@dataclass
class ImportPreview:
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    sha256: str = ""
    key: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def error_rows(self) -> list:
        return [r for r in self.rows if r.errors]

    @property
    def duplicate_rows(self) -> list:
        return [r for r in self.rows if r.duplicate]

    @property
    def new_rows(self) -> list:
        return [r for r in self.rows if not r.duplicate]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.file_errors and not self.error_rows


class AlreadyImported(AlreadyStored):
    """This preview was confirmed before: `existing` is the batch that stored it."""

    def describe(self, existing: ImportBatch) -> str:
        return ngettext(
            "Already imported (%(rows)d row).", "Already imported (%(rows)d rows).", existing.rows
        ) % {"rows": existing.rows}


@dataclass
class ImportResult:
    batch: ImportBatch
    created: list
    skipped: int


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not text (UTF-8 or Windows-1252 expected)."))


def _parse_when(text: str, *, now: dt.datetime) -> dt.datetime:
    text = text.strip()
    if not text:
        raise ValueError(_("A date is required."))
    when = parse_datetime(text.replace("T", " ", 1)) if len(text) > 10 else None
    if when is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(
                _("“%(text)s” is not a date (use 2026-11-20 or 2026-11-20 09:30).") % {"text": text}
            )
        when = dt.datetime.combine(day, dt.time(12))
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when < EARLIEST_LOG_TIME:
        raise ValueError(_("The date must be from 1 Jan 2000 on."))
    if when > now + CLOCK_SKEW:
        raise ValueError(_("The date is in the future."))
    return min(when.astimezone(dt.UTC), now)


def parse_measurements_csv(data: bytes, *, athletes, now=None) -> ImportPreview:
    """Read and check every row against `athletes` (a queryset already scoped to the user)
    and the metric registry. Nothing is written. Never raises on bad content: problems are
    reported per row (or for the whole file)."""
    now = now or timezone.now()
    preview = ImportPreview(sha256=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_BYTES:
        preview.file_errors.append(_("The file is larger than 2 MB; split it."))
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
        preview.file_errors.append(_("The file is empty."))
        return preview
    columns = [ALIASES.get(h.strip().lower()) for h in header]
    missing = {"athlete", "metric", "value", "measured_at"} - set(columns)
    if missing:
        preview.file_errors.append(
            _(
                "Missing column(s): %(columns)s. Expected athlete_id (or athlete), metric, "
                "value, side, measured_at."
            )
            % {"columns": ", ".join(sorted(missing))}
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
                preview.file_errors.append(
                    _("More than %(rows)d rows; split the file.") % {"rows": MAX_ROWS}
                )
                break
            raw = {
                col: values[i].strip() if i < len(values) else ""
                for i, col in enumerate(columns)
                if col
            }
            preview.rows.append(_check_row(number, raw, by_id, by_name, metrics, now))
    except csv.Error as error:
        preview.file_errors.append(
            _("The file could not be read as CSV: %(error)s") % {"error": error}
        )
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append(_("The file has a header but no rows."))
    _mark_duplicates(preview.rows)
    return preview


def _mark_duplicates(rows) -> None:
    """Mark rows identical to a stored measurement, or to an earlier row of the file. One
    query: the athletes' measurements of the file's metrics within the file's time span."""
    clean = [r for r in rows if not r.errors]
    if not clean:
        return
    times = [r.measured_at for r in clean]
    stored = set(
        Measurement.objects.filter(
            athlete_id__in={r.athlete.pk for r in clean},
            metric_id__in={r.metric.pk for r in clean},
            measured_at__gte=min(times),
            measured_at__lte=max(times),
        ).values_list("athlete_id", "metric_id", "side", "measured_at", "value")
    )
    seen: dict[tuple, int] = {}
    for row in clean:
        identity = row.identity()
        if identity in stored:
            row.duplicate = _("already stored")
        elif identity in seen:
            row.duplicate = _("same as line %(line)d") % {"line": seen[identity]}
        else:
            seen[identity] = row.line


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
            row.errors["athlete"] = _(
                "%(count)d athletes are named “%(name)s”: use athlete_id."
            ) % {"count": len(matches), "name": who}
        else:
            row.errors["athlete"] = _("Unknown athlete “%(name)s”.") % {"name": who}
    code = raw.get("metric", "").strip().lower()
    row.metric = metrics.get(code)
    if row.metric is None:
        row.errors["metric"] = _("Unknown metric “%(code)s”.") % {"code": raw.get("metric", "")}
    text = raw.get("value", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as spreadsheets in Europe export
    try:
        row.value = float(text)
        if not math.isfinite(row.value):
            raise ValueError
    except ValueError:
        row.errors["value"] = _("“%(text)s” is not a number.") % {"text": raw.get("value", "")}
    side = raw.get("side", "").strip().lower()
    if side in SIDES:
        row.side = SIDES[side]
    else:
        row.errors["side"] = _("Side must be left, right or empty, not “%(text)s”.") % {
            "text": raw.get("side")
        }
    try:
        row.measured_at = _parse_when(raw.get("measured_at", ""), now=now)
    except ValueError as error:
        row.errors["measured_at"] = str(error)
    if row.metric is not None and "value" not in row.errors:
        # The registry's plausible range and side rule, as for a typed measurement.
        for name, message in row.metric.value_errors(row.value, row.side).items():
            row.errors.setdefault(name, message)
    return row


def import_measurements(
    preview: ImportPreview,
    *,
    by,
    key: uuid.UUID,
    include_lines=(),
    file_name: str = "",
    now=None,
) -> ImportResult:
    """Store every row of a clean preview (duplicates only when their line is in
    `include_lines`), or none: one transaction, and any row the model refuses rolls back the
    whole file (ValidationError names the line). `key` is the one the preview handed out: a
    second import under it raises AlreadyImported and stores nothing."""
    if not preview.ok:
        raise ValidationError(_("Fix the errors in the file first; nothing was imported."))
    now = now or timezone.now()
    done = ImportBatch.objects.filter(imported_by=by, key=key).first()
    if done is not None:  # confirmed before: its rows now read as duplicates of themselves
        raise AlreadyImported(done)
    include_lines = set(include_lines)
    rows = [r for r in preview.rows if not r.duplicate or r.line in include_lines]
    if not rows:
        raise ValidationError(
            _("Nothing to import: every row is already stored. Tick the rows to import again.")
        )
    created = []
    with transaction.atomic():
        batch = ImportBatch(
            key=key,
            imported_by=by,
            file_name=file_name[:200],
            sha256=preview.sha256,
            rows=len(rows),
            skipped=len(preview.rows) - len(rows),
        )
        # The key's unique index makes a concurrent second confirm wait for this one, then
        # find the batch: exactly one of them stores the rows.
        if not insert_unless_exists(batch):
            raise AlreadyImported(ImportBatch.objects.get(imported_by=by, key=key))
        for row in rows:
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
                        import_batch=batch,
                        now=now,
                    )
                )
            except ValidationError as error:
                raise ValidationError(
                    _("Line %(line)d: %(errors)s Nothing was imported.")
                    % {"line": row.line, "errors": "; ".join(error.messages)}
                ) from None
    return ImportResult(batch=batch, created=created, skipped=batch.skipped)
