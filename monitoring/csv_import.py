"""CSV import of measurements and sprint splits (timing gates, force plates, device exports):
preview with row-level errors, then all rows or none (PRODUCT.md §2.5), exactly once.

A file is read through a column map (`mapping`, checked by `clean_mapping`): which column
names the athlete (and how: Sprintback id, "First Last", or the athlete's id in a device
system, athletes.ExternalId), which holds the time (and its format), the metric (one for the
whole file, or a column of codes), the value, the side and the unit; or, for a sprint export,
which columns hold split times and at which distance. Values are converted to the metric's
registry unit (monitoring.units: ms → s, km/h → m/s, kgf and lbf → N…). Split rows become
sprint trials through monitoring.sprints.record_sprint_trial, the one writer of trials.

The built-in layout needs no map (header row, names case-insensitive):
- `athlete_id` or `athlete` (the athlete's id, or "First Last" as on the roster);
- `metric` (a registry code, e.g. split_30m; `metric_code` is accepted too);
- `value` (a number; a decimal comma is accepted);
- `side` (optional: left, right, L, R or empty);
- `measured_at` (ISO date `2026-11-20` or date and time `2026-11-20 09:30`; a date alone
  means 12:00 local time).
Other layouts are recognised by their header: a team's saved ImportProfile (the same header),
or a shipped vendor layout (monitoring.import_profiles); else the coach maps the columns once.

Every row is held to the registry's plausible range and side rule (MetricKind.value_errors),
like a typed measurement. Imports happen once:
- the preview hands out a one-time key; confirming stores an ImportBatch under that key in the
  same transaction as the rows, so a second confirm (back button, double click, two tabs)
  stores nothing and says when the file was imported;
- rows identical to a stored measurement (athlete, metric, side, time, value) or trial
  (athlete, time, splits), or to an earlier row of the file, are marked as duplicates and
  skipped unless the coach ticks them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from athletes.evaluation import request_evaluation
from athletes.models import ExternalId
from core.db import AlreadyStored, insert_unless_exists
from core.plausibility import EARLIEST_LOG_TIME

from . import units
from .column_maps import ALIASES as ALIASES  # the built-in layout's names, for callers
from .column_maps import (
    BUILT_IN_ROLES,
    SPLIT_STARTS,
    ColumnMap,
    built_in_mapping,
    clean_mapping,
    normalise_header,
)
from .column_maps import MAPPING_KEYS as MAPPING_KEYS
from .models import (
    ImportBatch,
    Measurement,
    MetricKind,
    SprintStart,
    SprintTrial,
)
from .services import CLOCK_SKEW
from .sprints import clean_splits, record_sprint_trial

MAX_ROWS = 10_000
# A sprint run is fitted when stored (monitoring.sprint_profile: 65–115 ms a run on 2 cores,
# bench/csv_import.py): this many keep an import inside a request's time.
MAX_SPRINT_ROWS = 100
MAX_BYTES = 4 * 1024 * 1024
MAX_COLUMNS = 200
SHOWN_ROWS = 200  # valid rows a preview lists (rows with errors or duplicates: all)
SIDES = {"": "", "left": "left", "l": "left", "right": "right", "r": "right"}

# --- reading ------------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    raw: dict
    athlete: object = None
    metric: MetricKind | None = None
    value: float | None = None
    side: str = ""
    measured_at: dt.datetime | None = None
    splits: list | None = None  # a sprint trial's [{"distance_m", "time_s"}, …]
    errors: dict = field(default_factory=dict)
    duplicate: str = ""  # why the row is a duplicate ("already stored", "same as line 4")

    @property
    def is_sprint(self) -> bool:
        return self.splits is not None

    def identity(self) -> tuple:
        if self.is_sprint:
            pairs = tuple((s["distance_m"], s["time_s"]) for s in self.splits)
            return (self.athlete.pk, "sprint", self.measured_at, pairs)
        return (self.athlete.pk, self.metric.pk, self.side, self.measured_at, self.value)


@dataclass
class ImportPreview:
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    sha256: str = ""
    key: uuid.UUID = field(default_factory=uuid.uuid4)
    mapping: dict | None = None  # the column map the file was read with

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
    def is_sprint(self) -> bool:
        return bool(self.rows) and self.rows[0].is_sprint

    @property
    def shown_rows(self) -> list:
        """The rows the preview lists: all of a small file; of a large one, every row with an
        error or marked as a duplicate (it can be ticked) and the first SHOWN_ROWS others."""
        if len(self.rows) <= SHOWN_ROWS:
            return self.rows
        plain = 0
        shown = []
        for row in self.rows:
            if row.errors or row.duplicate:
                shown.append(row)
            elif plain < SHOWN_ROWS:
                shown.append(row)
                plain += 1
        return shown

    @property
    def hidden_count(self) -> int:
        return len(self.rows) - len(self.shown_rows)

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
    trials: list = field(default_factory=list)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not text (UTF-8 or Windows-1252 expected)."))


def _read(data: bytes):
    """(header, csv reader over the rows) or a file-level message (str)."""
    if len(data) > MAX_BYTES:
        return _("The file is larger than %(mb)d MB; split it.") % {"mb": MAX_BYTES // 2**20}
    try:
        text = _decode(data)
    except ValidationError as error:
        return error.messages[0]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return _("The file is empty.")
    if not any(h.strip() for h in header):
        return _("The file is empty.")
    if len(header) > MAX_COLUMNS:
        return _("The file has more than %(count)d columns.") % {"count": MAX_COLUMNS}
    return header, reader


def read_header(data: bytes) -> list[str] | None:
    """The file's header row, or None when the file cannot be read as CSV."""
    read = _read(data)
    return None if isinstance(read, str) else [h.strip() for h in read[0]]


DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _parse_when(text: str, *, now: dt.datetime, time_format: str = "iso") -> dt.datetime:
    text = text.strip()
    if not text:
        raise ValueError(_("A date is required."))
    if time_format == "iso":
        when = parse_datetime(text.replace("T", " ", 1)) if len(text) > 10 else None
        if when is None:
            day = parse_date(text)
            if day is None:
                raise ValueError(
                    _("“%(text)s” is not a date (use 2026-11-20 or 2026-11-20 09:30).")
                    % {"text": text}
                )
            when = dt.datetime.combine(day, dt.time(12))
    else:
        match = DMY.match(text)
        example = "20.11.2026 09:30" if time_format == "dmy" else "11/20/2026 09:30"
        try:
            if match is None:
                raise ValueError
            first, second, year, hour, minute, second_s = match.groups()
            day, month = (first, second) if time_format == "dmy" else (second, first)
            when = dt.datetime(
                int(year),
                int(month),
                int(day),
                int(hour) if hour else 12,
                int(minute) if minute else 0,
                int(second_s) if second_s else 0,
            )
        except ValueError:
            raise ValueError(
                _("“%(text)s” is not a date (use %(example)s).")
                % {"text": text, "example": example}
            ) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when < EARLIEST_LOG_TIME:
        raise ValueError(_("The date must be from 1 Jan 2000 on."))
    if when > now + CLOCK_SKEW:
        raise ValueError(_("The date is in the future."))
    return min(when.astimezone(dt.UTC), now)


def parse_measurements_csv(data: bytes, *, athletes, now=None, mapping=None) -> ImportPreview:
    """Read and check every row against `athletes` (a queryset already scoped to the user)
    and the metric registry, through the column map `mapping` (the built-in layout's when
    None). Nothing is written. Never raises on bad content: problems are reported per row,
    for the map, or for the whole file."""
    now = now or timezone.now()
    preview = ImportPreview(sha256=hashlib.sha256(data).hexdigest())
    read = _read(data)
    if isinstance(read, str):
        preview.file_errors.append(read)
        return preview
    header, reader = read
    if mapping is None:
        mapping = built_in_mapping(header)
    if mapping is None:
        missing = BUILT_IN_ROLES - {ALIASES.get(h.strip().lower()) for h in header}
        preview.file_errors.append(
            _(
                "Missing column(s): %(columns)s. Expected athlete_id (or athlete), metric, "
                "value, side, measured_at."
            )
            % {"columns": ", ".join(sorted(missing))}
        )
        return preview
    metrics = {m.code: m for m in MetricKind.objects.all()}
    try:
        columns = clean_mapping(mapping, header, metrics=metrics)
    except ValidationError as error:
        preview.file_errors.extend(error.messages)
        return preview
    preview.mapping = mapping
    lookup = _AthleteLookup(athletes, columns)
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            limit = MAX_SPRINT_ROWS if columns.splits else MAX_ROWS
            if len(preview.rows) >= limit:
                preview.file_errors.append(
                    _("More than %(rows)d rows; split the file.") % {"rows": limit}
                )
                break
            preview.rows.append(_check_row(number, values, columns, lookup, metrics, now))
    except csv.Error as error:
        preview.file_errors.append(
            _("The file could not be read as CSV: %(error)s") % {"error": error}
        )
    if columns.split_distance is not None:
        preview.rows = _group_split_rows(preview.rows)
        if len([r for r in preview.rows if not r.errors]) > MAX_SPRINT_ROWS:
            preview.file_errors.append(
                _("More than %(rows)d sprint runs; split the file.") % {"rows": MAX_SPRINT_ROWS}
            )
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append(_("The file has a header but no rows."))
    _mark_duplicates(preview.rows)
    return preview


class _AthleteLookup:
    """Finds the athlete a cell names, the way the map says: one query for the athletes, one
    for their ids in the map's device system."""

    def __init__(self, athletes, columns: ColumnMap):
        self.by = columns.athlete_by
        self.system = columns.system
        self.by_id = {str(a.pk): a for a in athletes}
        self.by_name: dict[str, list] = {}
        for a in self.by_id.values():
            self.by_name.setdefault(f"{a.first_name} {a.last_name}".casefold().strip(), []).append(
                a
            )
        self.by_external = {}
        if self.by == "external":
            rows = ExternalId.objects.filter(
                athlete_id__in=[a.pk for a in self.by_id.values()], system__iexact=self.system
            ).values_list("external_id", "athlete_id")
            self.by_external = {ext.strip(): self.by_id[str(pk)] for ext, pk in rows}

    def find(self, who: str, errors: dict):
        who = who.strip()
        if self.by == "external":
            if who in self.by_external:
                return self.by_external[who]
            errors["athlete"] = _("No athlete has the %(system)s id “%(id)s”.") % {
                "system": self.system,
                "id": who,
            }
            return None
        if self.by in ("auto", "id") and who in self.by_id:
            return self.by_id[who]
        if self.by == "id":
            errors["athlete"] = _("Unknown athlete id “%(id)s”.") % {"id": who}
            return None
        matches = self.by_name.get(" ".join(who.split()).casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            errors["athlete"] = _("%(count)d athletes are named “%(name)s”: use athlete_id.") % {
                "count": len(matches),
                "name": who,
            }
        else:
            errors["athlete"] = _("Unknown athlete “%(name)s”.") % {"name": who}
        return None


def _number(text: str) -> float:
    text = text.strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as spreadsheets in Europe export
    value = float(text)
    if not math.isfinite(value):
        raise ValueError
    return value


def _cell(values, index) -> str:
    return values[index].strip() if index is not None and index < len(values) else ""


def _check_row(number, values, columns: ColumnMap, lookup, metrics, now) -> ImportRow:
    raw = {
        "athlete": _cell(values, columns.athlete),
        "measured_at": _cell(values, columns.time),
        "side": _cell(values, columns.side),
    }
    row = ImportRow(line=number, raw=raw)
    row.athlete = lookup.find(raw["athlete"], row.errors)
    try:
        row.measured_at = _parse_when(raw["measured_at"], now=now, time_format=columns.time_format)
    except ValueError as error:
        row.errors["measured_at"] = str(error)
    unit = columns.unit or _cell(values, columns.unit_column)
    if columns.split_distance is not None:
        _check_split_row(row, values, columns, unit)
        return row
    if columns.is_sprint:
        _check_splits(row, values, columns, unit)
        return row
    raw["value"] = _cell(values, columns.value)
    if columns.metric_code:
        row.metric = metrics[columns.metric_code]
        raw["metric"] = columns.metric_code
    else:
        raw["metric"] = _cell(values, columns.metric_column)
        name = normalise_header(raw["metric"])
        row.metric = metrics.get(columns.metric_values.get(name, name))
        if row.metric is None:
            row.errors["metric"] = _("Unknown metric “%(code)s”.") % {"code": raw["metric"]}
    try:
        row.value = _number(raw["value"])
    except ValueError:
        row.errors["value"] = _("“%(text)s” is not a number.") % {"text": raw["value"]}
    if row.metric is not None and row.value is not None and unit:
        try:
            row.value = units.convert(row.value, unit, row.metric.unit)
        except units.UnitError as error:
            row.errors["unit"] = str(error)
            row.value = None
    side = raw["side"].lower()
    if side in SIDES:
        row.side = SIDES[side]
    else:
        row.errors["side"] = _("Side must be left, right or empty, not “%(text)s”.") % {
            "text": raw["side"]
        }
    if row.metric is not None and row.value is not None:
        # The registry's plausible range and side rule, as for a typed measurement.
        for name, message in row.metric.value_errors(row.value, row.side).items():
            row.errors.setdefault(name, message)
    return row


def _check_splits(row, values, columns: ColumnMap, unit: str) -> None:
    """A sprint row: its split times (an empty cell: the run did not reach that distance),
    checked as monitoring.sprints checks any trial's."""
    splits, shown = [], []
    for index, distance in columns.splits:
        text = _cell(values, index)
        if not text:
            continue
        shown.append(f"{distance:g} m: {text}")
        time = _split_time(row, text, unit)
        if time is None:
            return
        splits.append({"distance_m": distance, "time_s": time})
    row.raw["value"] = "; ".join(shown)
    try:
        row.splits = clean_splits(splits)
    except ValidationError as error:
        row.errors["splits"] = " ".join(error.messages)
        row.splits = splits


def _check_split_row(row, values, columns: ColumnMap, unit: str) -> None:
    """One split of a run: its distance (m) and time; _group_split_rows makes the runs."""
    distance_text, time_text = _cell(values, columns.split_distance), _cell(values, columns.value)
    row.raw["value"] = f"{distance_text} m: {time_text}"
    try:
        distance = _number(distance_text)
    except ValueError:
        row.errors["splits"] = _("“%(text)s” is not a distance.") % {"text": distance_text}
        return
    time = _split_time(row, time_text, unit)
    if time is None:
        return
    row.splits = [{"distance_m": distance, "time_s": time}]


def _split_time(row, text: str, unit: str) -> float | None:
    """A split's time in seconds from its cell (converted from `unit`), or None with the
    reason on the row's splits."""
    try:
        time = _number(text)
        return units.convert(time, unit, "s") if unit else time
    except units.UnitError as error:
        row.errors["splits"] = str(error)
    except ValueError:
        row.errors["splits"] = _("“%(text)s” is not a number.") % {"text": text}
    return None


def _group_split_rows(rows: list) -> list:
    """The rows of one athlete at one time, one split each, as one trial row (at the line of
    its first split), checked as any trial's splits are. Rows with errors stay as they are."""
    grouped: list = []
    runs: dict[tuple, ImportRow] = {}
    for row in rows:
        if row.errors:
            grouped.append(row)
            continue
        key = (row.athlete.pk, row.measured_at)
        if key not in runs:
            runs[key] = row
            row.raw["lines"] = [row.line]
            grouped.append(row)
        else:
            run = runs[key]
            run.splits = [*run.splits, *row.splits]
            run.raw["lines"].append(row.line)
            run.raw["value"] += f"; {row.raw['value']}"
    for row in runs.values():
        splits = sorted(row.splits, key=lambda s: s["distance_m"])
        try:
            row.splits = clean_splits(splits)
        except ValidationError as error:
            row.errors["splits"] = " ".join(error.messages)
            row.splits = splits
        if len(row.raw["lines"]) > 1:
            row.raw["value"] += " " + _("(lines %(lines)s)") % {
                "lines": ", ".join(str(n) for n in row.raw["lines"])
            }
    return grouped


def _mark_duplicates(rows) -> None:
    """Mark rows identical to a stored measurement or trial, or to an earlier row of the
    file. One query: the athletes' measurements (or trials) within the file's time span."""
    clean = [r for r in rows if not r.errors]
    if not clean:
        return
    times = [r.measured_at for r in clean]
    athletes = {r.athlete.pk for r in clean}
    span = {"measured_at__gte": min(times), "measured_at__lte": max(times)}
    stored = set()
    if any(r.is_sprint for r in clean):
        for athlete_id, measured_at, splits in SprintTrial.objects.filter(
            athlete_id__in=athletes, **span
        ).values_list("athlete_id", "measured_at", "splits"):
            pairs = tuple((s["distance_m"], s["time_s"]) for s in splits)
            stored.add((athlete_id, "sprint", measured_at, pairs))
    if not all(r.is_sprint for r in clean):
        stored |= set(
            Measurement.objects.filter(
                athlete_id__in=athletes,
                metric_id__in={r.metric.pk for r in clean if not r.is_sprint},
                **span,
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


# --- storing ------------------------------------------------------------------------------


def checked_measurement(row: ImportRow, *, by, batch, now) -> Measurement:
    """The row as a Measurement, held to the model's own checks (its fields' validators and
    the metric's plausible range, as record_measurement holds a typed one) without a query."""
    measurement = Measurement(
        athlete=row.athlete,
        metric=row.metric,
        value=row.value,
        side=row.side,
        measured_at=row.measured_at,
        source=Measurement.Source.CSV,
        import_batch=batch,
        logged_by=by,
    )
    measurement.full_clean(
        exclude=["athlete", "metric", "logged_by", "session", "import_batch", "sprint_trial"],
        validate_unique=False,
        validate_constraints=False,
    )
    return measurement


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
    second import under it raises AlreadyImported and stores nothing.

    Measurements are checked row by row, then written in bulk with one evaluation request per
    athlete; split rows become trials through record_sprint_trial."""
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
    created, trials = [], []
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
                if row.is_sprint:
                    trials.append(
                        record_sprint_trial(
                            row.athlete,
                            by=by,
                            measured_at=row.measured_at,
                            splits=row.splits,
                            start=preview_start(preview),
                            now=now,
                        )
                    )
                else:
                    created.append(checked_measurement(row, by=by, batch=batch, now=now))
            except (ValidationError, PermissionDenied) as error:
                messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                raise ValidationError(
                    _("Line %(line)d: %(errors)s Nothing was imported.")
                    % {"line": row.line, "errors": "; ".join(messages)}
                ) from None
        Measurement.objects.bulk_create(created, batch_size=2000)
        request_evaluation({m.athlete_id for m in created})
    return ImportResult(batch=batch, created=created, skipped=batch.skipped, trials=trials)


def preview_start(preview: ImportPreview) -> str:
    start = (preview.mapping or {}).get("start", SprintStart.STANDING)
    return start if start in SPLIT_STARTS else SprintStart.STANDING
