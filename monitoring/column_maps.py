"""Column maps of the CSV import (monitoring.csv_import): which column of a file is the
athlete (and how it names them), the time (and its format), the metric, the value, the side,
the unit; or which columns hold sprint split times. `clean_mapping` is the one check of a map,
whatever sends it (the mapping form, a saved ImportProfile, a shipped vendor layout, the
confirmation's hidden copy): errors keyed by the map's part, nothing stored."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import units
from .models import MAX_SPLIT_DISTANCE_M, MAX_SPRINT_SPLITS, MetricKind, SprintStart

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
BUILT_IN_ROLES = {"athlete", "metric", "value", "measured_at"}

# How a column names the athlete, and the time formats a column map may name.
ATHLETE_BY = ("auto", "id", "name", "external")
TIME_FORMATS = ("iso", "dmy", "mdy")
SPLIT_STARTS = (SprintStart.STANDING, SprintStart.CROUCH)
MAPPING_KEYS = {
    "athlete", "time", "metric", "value", "side", "unit", "splits", "split_distance", "start"
}  # fmt: skip
MAX_NAME = 200  # longest column name or text a map may hold


def normalise_header(name) -> str:
    """A column name as layouts are compared: spaces collapsed, case folded."""
    return " ".join(str(name).split()).casefold()


# --- column maps --------------------------------------------------------------------------


@dataclass
class ColumnMap:
    """A checked mapping: column indexes into the file's header."""

    athlete: int
    athlete_by: str
    system: str
    time: int
    time_format: str
    metric_code: str = ""
    metric_column: int | None = None
    metric_values: dict = field(default_factory=dict)
    value: int | None = None
    side: int | None = None
    unit: str = ""
    unit_column: int | None = None
    splits: list = field(default_factory=list)  # [(column index, distance in m)]
    split_distance: int | None = None  # one split a row: its distance (m); `value` its time
    start: str = SprintStart.STANDING

    @property
    def is_sprint(self) -> bool:
        return bool(self.splits) or self.split_distance is not None


def _short_text(value) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= MAX_NAME


def clean_mapping(mapping, header, *, metrics=None) -> ColumnMap:
    """Check a column map against a file's header; ValidationError keyed by the map's part
    ("athlete", "time", "metric", "value", "splits", "unit", "side", "start", or "mapping"
    for its shape), one message each. `metrics`: code → MetricKind (loaded when None)."""
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": _("The column map must be an object.")})
    unknown = set(mapping) - MAPPING_KEYS
    if unknown:
        raise ValidationError(
            {
                "mapping": _("Unknown part(s) of the map: %(keys)s.")
                % {"keys": ", ".join(sorted(str(k)[:40] for k in unknown))}
            }
        )
    metrics = metrics if metrics is not None else {m.code: m for m in MetricKind.objects.all()}
    names = [normalise_header(h) for h in header]
    errors: dict[str, str] = {}

    def column(part, spec, key="column", *, required=True):
        value = spec.get(key) if isinstance(spec, dict) else None
        if value in (None, "") and not required:
            return None
        if not _short_text(value):
            errors.setdefault(part, _("Choose a column of the file."))
            return None
        wanted = normalise_header(value)
        count = names.count(wanted)
        if count == 0:
            errors.setdefault(part, _("The file has no column “%(name)s”.") % {"name": value})
            return None
        if count > 1:
            errors.setdefault(
                part, _("The file has two columns named “%(name)s”.") % {"name": value}
            )
            return None
        return names.index(wanted)

    def spec_of(part, *, required=True):
        spec = mapping.get(part)
        if spec is None and not required:
            return None
        if not isinstance(spec, dict):
            errors.setdefault(part, _("Choose a column of the file."))
            return None
        return spec

    athlete_spec = spec_of("athlete") or {}
    athlete = column("athlete", athlete_spec)
    by = athlete_spec.get("by", "auto")
    system = athlete_spec.get("system") or ""
    if by not in ATHLETE_BY:
        errors.setdefault("athlete", _("Choose how the column names the athlete."))
    elif by == "external":
        if not isinstance(system, str) or not 0 < len(system.strip()) <= 60:
            errors.setdefault(
                "athlete",
                _("Name the device system whose ids the column holds (60 characters at most)."),
            )
    elif system:
        errors.setdefault("athlete", _("A device system goes only with device ids."))
    time_spec = spec_of("time") or {}
    time = column("time", time_spec)
    time_format = time_spec.get("format", "iso")
    if time_format not in TIME_FORMATS:
        errors.setdefault("time", _("Choose a date format."))

    cleaned = ColumnMap(
        athlete=athlete,
        athlete_by=by,
        system=system.strip() if isinstance(system, str) else "",
        time=time,
        time_format=time_format,
    )
    side_spec = spec_of("side", required=False)
    if side_spec is not None:
        cleaned.side = column("side", side_spec, required=False)
    unit_spec = spec_of("unit", required=False)
    if unit_spec is not None:
        if unit_spec.get("unit") not in (None, "") and unit_spec.get("column") not in (None, ""):
            errors.setdefault("unit", _("Choose a unit or a unit column, not both."))
        elif unit_spec.get("column") not in (None, ""):
            cleaned.unit_column = column("unit", unit_spec)
        elif unit_spec.get("unit") not in (None, ""):
            unit = unit_spec.get("unit")
            if not isinstance(unit, str) or units.normalise(unit) is None:
                errors.setdefault("unit", _("Unknown unit “%(unit)s”.") % {"unit": str(unit)[:40]})
            else:
                cleaned.unit = units.normalise(unit)

    splits = mapping.get("splits")
    has_measure = mapping.get("metric") is not None or mapping.get("value") is not None
    if mapping.get("split_distance") is not None:
        _clean_split_rows(mapping, cleaned, column, spec_of, errors)
    elif splits is not None and has_measure:
        errors.setdefault(
            "splits",
            _("A file holds measurements (metric and value) or sprint splits, not both."),
        )
    elif splits is not None:
        _clean_split_columns(
            splits, mapping.get("start", SprintStart.STANDING), cleaned, column, errors
        )
    else:
        _clean_measure_columns(mapping, cleaned, column, spec_of, metrics, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_split_columns(splits, start, cleaned, column, errors) -> None:
    if not isinstance(splits, dict) or not 2 <= len(splits) <= MAX_SPRINT_SPLITS:
        errors.setdefault(
            "splits",
            _("Choose between 2 and %(count)d columns holding split times.")
            % {"count": MAX_SPRINT_SPLITS},
        )
        return
    pairs = []
    for name, distance in splits.items():
        index = column("splits", {"column": name})
        if isinstance(distance, bool) or not isinstance(distance, int | float):
            errors.setdefault("splits", _("Give each split column its distance in m."))
            return
        if not math.isfinite(distance) or not 0 < distance <= MAX_SPLIT_DISTANCE_M:
            errors.setdefault(
                "splits",
                _("A split distance must be more than 0 and at most %(max)d m.")
                % {"max": MAX_SPLIT_DISTANCE_M},
            )
            return
        pairs.append((index, float(distance)))
    distances = [d for _i, d in pairs]
    if len(set(distances)) != len(distances):
        errors.setdefault("splits", _("Two split columns have the same distance."))
    if start not in SPLIT_STARTS:
        errors.setdefault("start", _("Choose a standing or crouch start."))
    if cleaned.unit and not units.convertible(cleaned.unit, "s"):
        errors.setdefault(
            "unit",
            _("Split times need a unit of time (s or ms), not %(unit)s.") % {"unit": cleaned.unit},
        )
    if "mapping" in errors or "splits" in errors:
        return
    cleaned.splits = sorted(pairs, key=lambda pair: pair[1])
    cleaned.start = start


def _clean_split_rows(mapping, cleaned, column, spec_of, errors) -> None:
    """One split a row: a distance column (m) and the time in the value column; the rows of
    one athlete at one time make one trial."""
    if mapping.get("metric") is not None or mapping.get("splits") is not None:
        errors.setdefault(
            "split_distance",
            _("A file of one split a row has no metric and no split columns."),
        )
        return
    cleaned.split_distance = column("split_distance", spec_of("split_distance") or {})
    cleaned.value = column("value", spec_of("value") or {})
    start = mapping.get("start", SprintStart.STANDING)
    if start not in SPLIT_STARTS:
        errors.setdefault("start", _("Choose a standing or crouch start."))
    else:
        cleaned.start = start
    if cleaned.unit and not units.convertible(cleaned.unit, "s"):
        errors.setdefault(
            "unit",
            _("Split times need a unit of time (s or ms), not %(unit)s.") % {"unit": cleaned.unit},
        )


def _clean_measure_columns(mapping, cleaned, column, spec_of, metrics, errors) -> None:
    metric_spec = spec_of("metric") or {}
    code = metric_spec.get("code")
    if code not in (None, "") and metric_spec.get("column") not in (None, ""):
        errors.setdefault("metric", _("Choose one metric or a metric column, not both."))
    elif code not in (None, ""):
        if not isinstance(code, str) or code not in metrics:
            errors.setdefault("metric", _("Unknown metric “%(code)s”.") % {"code": str(code)[:40]})
        else:
            cleaned.metric_code = code
            if cleaned.unit and not units.convertible(cleaned.unit, metrics[code].unit):
                errors.setdefault(
                    "unit",
                    _("%(metric)s is in %(to)s: a value in %(unit)s cannot be converted.")
                    % {
                        "metric": metrics[code].name,
                        "to": metrics[code].unit,
                        "unit": cleaned.unit,
                    },
                )
    else:
        cleaned.metric_column = column("metric", metric_spec)
        values = metric_spec.get("values", {})
        if not isinstance(values, dict) or len(values) > 200:
            errors.setdefault("metric", _("The metric names must map to metric codes."))
        else:
            for raw, target in values.items():
                if not _short_text(raw) or not isinstance(target, str) or target not in metrics:
                    errors.setdefault(
                        "metric",
                        _("“%(name)s” must map to a metric code.") % {"name": str(raw)[:40]},
                    )
                    break
                cleaned.metric_values[normalise_header(raw)] = target
    value_spec = spec_of("value") or {}
    cleaned.value = column("value", value_spec)


def built_in_mapping(header) -> dict | None:
    """The map of the built-in layout for this header, or None when it lacks a column."""
    roles: dict[str, str] = {}
    for name in header:
        role = ALIASES.get(str(name).strip().lower())
        if role and role not in roles:
            roles[role] = name
    if not set(roles) >= BUILT_IN_ROLES:
        return None
    mapping = {
        "athlete": {"column": roles["athlete"], "by": "auto"},
        "time": {"column": roles["measured_at"], "format": "iso"},
        "metric": {"column": roles["metric"]},
        "value": {"column": roles["value"]},
    }
    if "side" in roles:
        mapping["side"] = {"column": roles["side"]}
    return mapping
