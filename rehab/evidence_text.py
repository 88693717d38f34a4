"""Evidence in words: gate facts, measurement values and dates as people read them.

The gate engine (rehab.gates) and the sign-off snapshot (rehab.signoff) store their facts as
JSON with ISO dates and raw numbers, for the record and the API. Pages and the printed report
read them through this module: dates in the locale's formats (config/formats), values at the
metric's precision (MetricKind.format_value), facts as short sentences.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.numbers import localized_number


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
    return _day_in_format(parsed, fmt, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _day_in_format(day: dt.date, fmt: str, language: str | None) -> str:
    """date_format, remembered per day, format and language: a gate report names a few dozen
    days, each many times, and every date_format call looks the format up again through the
    active translation (0.2 ms each). On the roster's 450 plans: 655 calls, 147 of 545 ms of
    a profiled evaluation (bench/README.md, roster)."""
    return date_format(day, fmt)


def number_text(value) -> str:
    """A number without a metric to say its precision: no trailing zeros, no exponent."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return localized_number(value)
    return str(value)


def metric_text(metric, value) -> str:
    """A measurement value as people read it: the metric's precision and unit ("354.89 N",
    "4.12 s"), pass/fail in words ("pass"), "–" when there is none. Without the metric (a
    snapshot whose metric is gone) the bare number."""
    if value is None:
        return "–"
    if metric is None:
        return number_text(value)
    text = metric.format_value(value)
    if metric.is_pass_fail or not metric.unit:
        return text
    return f"{text} {metric.unit}"


# --- gate facts as sentences -----------------------------------------------------------------


def metric_kinds(codes) -> dict:
    """The registry entries for these metric codes, by code (one query; none without codes)."""
    from monitoring.models import MetricKind

    codes = {code for code in codes if code}
    if not codes:
        return {}
    return {m.code: m for m in MetricKind.objects.filter(code__in=codes)}


def _pain(value) -> str:
    return _("not recorded") if value is None else f"{value}/10"


def _side_word(side: str) -> str:
    """A stored side ("left", "right") in the reader's words."""
    if side == "left":
        return pgettext("side of the body", "left")
    if side == "right":
        return pgettext("side of the body", "right")
    return side


def _side(side: str | None, injured_side: str | None = None) -> str:
    if not side:
        return ""
    if side == injured_side:
        return _(", %(side)s (injured)") % {"side": _side_word(side)}
    return _(", %(side)s") % {"side": _side_word(side)}


def _measurement_line(name: str, metric, fact: dict | None, *, injured_side=None) -> str:
    if not fact:
        return _("%(metric)s: nothing logged in this phase") % {"metric": name}
    return _("%(metric)s%(side)s: %(value)s on %(date)s") % {
        "metric": name,
        "side": _side(fact.get("side"), injured_side),
        "value": metric_text(metric, fact.get("value")),
        "date": day_text(fact.get("measured_at")),
    }


def _pain_lines(facts: dict, metric) -> list[str]:
    lines = []
    for s in facts.get("sessions") or []:
        values = {
            "date": day_text(s.get("date")),
            "during": _pain(s.get("pain_during")),
            "after": _pain(s.get("pain_after")),
            "worst": _pain(s.get("worst")),
        }
        if s.get("checkin_id"):
            line = _(
                "Session on %(date)s: pain during %(during)s, after %(after)s; check-in that "
                "day; worst %(worst)s"
            )
        else:
            line = _(
                "Session on %(date)s: pain during %(during)s, after %(after)s; no check-in "
                "that day; worst %(worst)s"
            )
        lines.append(line % values)
    return lines


def _soreness_lines(facts: dict, metric) -> list[str]:
    lines = []
    for s in facts.get("sessions") or []:
        if s.get("reference_date") is None:
            before = _("no check-in in the week before")
        elif s.get("reference_date") == s.get("date"):
            before = _("morning pain %(pain)s that day") % {
                "pain": _pain(s.get("reference_morning_pain"))
            }
        else:
            before = _("morning pain %(pain)s on %(date)s") % {
                "pain": _pain(s.get("reference_morning_pain")),
                "date": day_text(s.get("reference_date")),
            }
        if s.get("next_morning_pain") is None:
            after = _("no check-in the next morning (%(date)s)") % {
                "date": day_text(s.get("next_morning_date"))
            }
        else:
            after = _("%(pain)s the next morning") % {"pain": _pain(s.get("next_morning_pain"))}
        lines.append(
            _("Session on %(date)s: %(before)s, %(after)s")
            % {"date": day_text(s.get("date")), "before": before, "after": after}
        )
    return lines


def _min_days_lines(facts: dict, metric) -> list[str]:
    if not facts.get("phase_entered"):
        return []
    since = day_text(facts["phase_entered"])
    if facts.get("day_in_phase") is not None:
        return [
            _("In this phase since %(date)s (day %(day)s)")
            % {"date": since, "day": facts["day_in_phase"]}
        ]
    return [_("In this phase since %(date)s") % {"date": since}]


def _lsi_lines(facts: dict, metric, name: str) -> list[str]:
    if "lsi_measurement" in facts:  # a metric that already is an LSI (hop_lsi)
        return [_measurement_line(name, metric, facts.get("lsi_measurement"))]
    injured = facts.get("injured_side")
    lines = []
    for key in ("injured", "uninjured"):
        fact = facts.get(key)
        if fact:
            lines.append(_measurement_line(name, metric, fact, injured_side=injured))
        elif key == "injured":
            lines.append(_("%(metric)s, injured side: not logged") % {"metric": name})
        else:
            lines.append(_("%(metric)s, other side: not logged") % {"metric": name})
    return lines


def _vs_baseline_lines(facts: dict, metric, name: str) -> list[str]:
    lines = [_measurement_line(name, metric, facts.get("measurement"))]
    baseline = facts.get("baseline")
    if baseline:
        values = {
            "side": _side(baseline.get("side")),
            "value": metric_text(metric, baseline.get("value")),
        }
        if baseline.get("measured_on"):
            line = _("Pre-injury baseline%(side)s: %(value)s (%(date)s)") % {
                **values,
                "date": day_text(baseline["measured_on"]),
            }
        else:
            line = _("Pre-injury baseline%(side)s: %(value)s") % values
        lines.append(line)
    else:
        lines.append(_("Pre-injury baseline: none recorded"))
    return lines


def _confidence_lines(facts: dict, metric) -> list[str]:
    return [
        _("Check-in on %(date)s: confidence %(confidence)s")
        % {"date": day_text(c.get("date")), "confidence": _pain(c.get("confidence"))}
        for c in facts.get("checkins") or []
    ]


def _speed_lines(facts: dict, metric) -> list[str]:
    if facts.get("baseline_mss") is None:
        return [_("Pre-injury top speed: none recorded")]
    if facts.get("baseline_source") == "typed":
        lines = [_("Pre-injury top speed: %(mss)s m/s (baseline)") % {"mss": facts["baseline_mss"]}]
    else:
        lines = [
            _("Pre-injury top speed: %(mss)s m/s (fastest trial before the injury)")
            % {"mss": facts["baseline_mss"]}
        ]
    for t in facts.get("trials") or []:
        lines.append(
            _("Sprint on %(date)s: %(mss)s m/s, %(pct)s %% of pre-injury")
            % {
                "date": day_text(t.get("measured_at")),
                "mss": t.get("mss"),
                "pct": number_text(t.get("percent")),
            }
        )
    return lines


def fact_lines(result: dict, metric=None) -> list[str]:
    """The source facts of one gate result (rehab.gates) as short lines: which sessions,
    check-ins and measurements, with their dates and values. Works on stored snapshots too."""
    facts = result.get("facts") or {}
    kind = result.get("kind")
    name = metric.name if metric is not None else (result.get("metric") or _("Result"))
    if kind == "pain":
        return _pain_lines(facts, metric)
    if kind == "no_next_day_soreness":
        return _soreness_lines(facts, metric)
    if kind == "min_days":
        return _min_days_lines(facts, metric)
    if kind == "lsi":
        return _lsi_lines(facts, metric, name)
    if kind == "vs_baseline":
        return _vs_baseline_lines(facts, metric, name)
    if kind in ("metric_threshold", "test_passed"):
        return [_measurement_line(name, metric, facts.get("measurement"))]
    if kind == "confidence":
        return _confidence_lines(facts, metric)
    if kind == "speed_exposures":
        return _speed_lines(facts, metric)
    return []


def metric_info(metric) -> dict:
    """How a metric's values read, as a gate result keeps it (`metric_info`) so that its
    snapshot reads the same after the registry changes; `_result_metric` reads it back."""
    return {
        "name": metric.name,
        "unit": metric.unit,
        "decimals": metric.decimals,
        "value_type": metric.value_type,
        # Which way is better: the athlete's words say "at most" or "at least" by it.
        "direction": metric.direction,
    }


def _result_metric(result: dict, kinds: dict):
    """The metric of a gate result: as the result describes it (`metric_info`, kept with the
    snapshot since it was taken), else the registry's entry."""
    info = result.get("metric_info")
    if info:
        from monitoring.models import MetricKind

        return MetricKind(code=result.get("metric"), **info)
    return kinds.get(result.get("metric"))


def result_metric(result: dict, kinds: dict | None = None):
    """The metric a gate result was judged on, as it reads its values (see `_result_metric`);
    None for gates without one."""
    return _result_metric(result, kinds or {})


def describe_report(report: dict | None, kinds: dict | None = None) -> dict:
    """A gate report (live or from a snapshot) with each gate's facts as `lines`, ready for a
    page. The registry is read (one query) only for gates of older snapshots that do not
    describe their metric and are not in `kinds`."""
    report = report or {}
    gates = report.get("gates") or []
    kinds = dict(kinds or {})
    unknown = {
        g.get("metric")
        for g in gates
        if g.get("metric") and not g.get("metric_info") and g.get("metric") not in kinds
    }
    kinds.update(metric_kinds(unknown))
    return {
        **report,
        "gates": [{**g, "lines": fact_lines(g, _result_metric(g, kinds))} for g in gates],
    }
