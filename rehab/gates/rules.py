"""The pure half of the gate engine: is each criterion for leaving the current phase met, not
met, or is evidence missing — always with the facts it looked at (PRODUCT.md §2.3).

Over 400 lines on purpose: one pure function per gate kind under the rules below, which are
the spec they implement; split, the rules would lose the one page that states them all.

`evaluate(plan, gates, facts, now=...)` reads only its arguments: the facts come from
`rehab.gates.facts.load_gate_facts`, and `rehab.gates.evaluate_plan(s)` combines the two.

Rules the criteria follow (the model docstring gives the thresholds' meaning):
- Evidence counts only if it was logged in the current phase: sessions, check-ins and
  measurements dated on or after the day the phase was entered. An LSI or sprint time from an
  earlier phase is not evidence for leaving this one.
- pain: worst of session pain during/after and the check-in pains (rest, activity, morning)
  on those session days, over the last `window` sessions of the phase. Fewer sessions, or a
  session with no pain recorded anywhere, is missing evidence.
- no_next_day_soreness: for each of the last `window` sessions, the next day's morning pain
  is not higher than the session day's morning pain (or, without a check-in that day, the
  latest check-in in the week before). A missing check-in on either side is missing evidence.
- min_days: the plan's day in the phase (`Plan.day_in_phase`: the day it was entered is day
  1) is at least t.
- lsi: injured ÷ uninjured × 100 (uninjured ÷ injured for lower-is-better metrics) from the
  latest value of each side; metrics that already are an LSI (hop_lsi) are read directly.
- vs_baseline: latest value against the athlete's pre-injury baseline (injured side for
  bilateral metrics): lower-is-better value ≤ baseline × t/100, higher-is-better ≥ baseline × t/100.
- metric_threshold: latest injured-side (or unsided) value at or beyond t in the metric's
  better direction.
- test_passed: latest injured-side (or unsided) result is 1.
- confidence: the last `window` check-ins of the phase that recorded confidence are all ≥ t.
- speed_exposures: at least `window` sprint trials of the phase (good or flying-start fits)
  whose maximal sprinting speed is ≥ t % of the athlete's pre-injury top speed
  (monitoring.sprints.pre_injury_top_speed), the share compared at the one decimal people see.
  No pre-injury top speed, or fewer than `window` trials in the phase, is missing evidence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from monitoring.models import Measurement
from monitoring.rules import next_morning, reference_morning

from ..evidence_text import day_text, metric_info, metric_text, number_text
from ..models import GateCriterion, GateKind, Plan


class GateStatus(models.TextChoices):
    """A criterion's verdict, and the words every page, API message and e-mail uses for it:
    PRODUCT.md §2.3 "met / not met / missing evidence". Reports store the value; the words
    are the reader's language."""

    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    MISSING = "missing", _("Missing evidence")

    @classmethod
    def label_of(cls, value) -> str:
        """The words for a stored status ("" for none or an unknown one)."""
        return str(cls(value).label) if value in cls.values else ""


MET, NOT_MET, MISSING = GateStatus.MET.value, GateStatus.NOT_MET.value, GateStatus.MISSING.value


@dataclass
class PlanFacts:
    """What the gates of one plan may look at, read in bulk by load_gate_facts."""

    sessions: list = field(default_factory=list)  # last N sessions of the phase, newest first
    checkins_by_date: dict = field(default_factory=dict)  # local_date -> CheckIn
    confidence_checkins: list = field(default_factory=list)  # newest first
    latest: dict = field(default_factory=dict)  # (metric_id, side) -> Measurement
    baselines: dict = field(default_factory=dict)  # (metric_id, side) -> Baseline
    sprints: list = field(default_factory=list)  # usable sprint trials of the phase, newest first
    top_speed: object = None  # monitoring.sprints.TopSpeedBaseline, or None


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _gate_fields(gate: GateCriterion) -> dict:
    """What a result says of its gate, whatever the plan. Remembered on the gate instance with
    the values it was made from: a roster shares one instance among all the plans in a phase
    and would otherwise describe it again for each of them."""
    source = (gate.pk, gate.kind, gate.description, gate.metric_id, gate.threshold, gate.window)
    memo = gate.__dict__.get("_report_fields")
    if memo is None or memo[0] != source:
        fields = {
            "gate_id": gate.pk,
            "kind": gate.kind,
            "description": gate.description or gate.get_kind_display(),
            "metric": gate.metric.code if gate.metric_id else None,
            # How its values read (rehab.evidence_text), kept with the snapshot.
            "metric_info": metric_info(gate.metric) if gate.metric_id else None,
            "threshold": gate.threshold,
            "window": gate.window,
        }
        memo = gate.__dict__["_report_fields"] = (source, fields)
    return memo[1]


def _result(gate: GateCriterion, status: str, detail: str, facts: dict) -> dict:
    # A copy of the gate's fields: each report is stored as its own snapshot.
    fields = _gate_fields(gate)
    return {
        **fields,
        "metric_info": dict(fields["metric_info"]) if fields["metric_info"] else None,
        "status": status,
        "detail": detail,
        "facts": facts,
    }


def _verdict(gate: GateCriterion, ok: bool, detail: str, facts: dict) -> dict:
    """The result of a criterion whose evidence was all there: met when `ok`, else not met."""
    return _result(gate, MET if ok else NOT_MET, detail, facts)


def _too_few(gate: GateCriterion, count: int, what: str, facts: dict) -> dict | None:
    """Missing evidence while fewer than the gate's window of `what` were logged in the phase."""
    if count >= gate.window:
        return None
    return _result(gate, MISSING, f"{count} of {gate.window} {what} in this phase", facts)


def _at_or_beyond(metric, value, limit) -> tuple[bool, str]:
    """Whether `value` is at or beyond `limit` in the metric's better direction, and the words
    for that bound ("at most" for lower-is-better metrics, else "at least")."""
    if metric.direction == metric.Direction.LOWER:
        return value <= limit, "at most"
    return value >= limit, "at least"


def _sessions_on(days: list[dt.date]) -> str:
    """The days in words ("sessions on 3 Nov 2026, 5 Nov 2026"), formatted only for the message
    returned: a roster evaluates hundreds of plans and shows none of these sentences."""
    return f"session{'s' if len(days) > 1 else ''} on {', '.join(map(day_text, days))}"


def _session_pains(session, checkin) -> list[tuple[str, int]]:
    pains = []
    if session.pain_during is not None:
        pains.append(("session pain during", session.pain_during))
    if session.pain_after is not None:
        pains.append(("session pain after", session.pain_after))
    if checkin is not None:
        pains += [
            ("check-in pain at rest", checkin.pain_rest),
            ("check-in pain in activity", checkin.pain_activity),
            ("check-in morning pain", checkin.pain_morning),
        ]
    return pains


def _pain(gate, facts: PlanFacts, plan, now) -> dict:
    window, threshold = gate.window, gate.threshold
    sessions = facts.sessions[:window]
    rows, worst, unrecorded = [], None, []
    for session in sessions:
        checkin = facts.checkins_by_date.get(session.date)
        pains = _session_pains(session, checkin)
        session_worst = max((v for _, v in pains), default=None)
        rows.append(
            {
                "session_id": session.id,
                "date": _d(session.date),
                "pain_during": session.pain_during,
                "pain_after": session.pain_after,
                "checkin_id": checkin.id if checkin else None,
                "worst": session_worst,
            }
        )
        if session_worst is None:
            unrecorded.append(session.date)
        elif worst is None or session_worst > worst:
            worst = session_worst
    fact = {"sessions": rows, "worst": worst}
    if too_few := _too_few(gate, len(sessions), "sessions logged", fact):
        return too_few
    if unrecorded:
        return _result(gate, MISSING, f"No pain recorded for the {_sessions_on(unrecorded)}", fact)
    return _verdict(
        gate,
        worst <= threshold,
        f"Worst pain {worst}/10 over the last {window} sessions (limit {number_text(threshold)})",
        fact,
    )


def _soreness(gate, facts: PlanFacts, plan, now) -> dict:
    window = gate.window
    sessions = facts.sessions[:window]
    rows, missing, rises = [], [], []
    for session in sessions:
        before = reference_morning(facts.checkins_by_date, session.date)
        after = next_morning(facts.checkins_by_date, session.date)
        row = {
            "session_id": session.id,
            "date": _d(session.date),
            "reference_date": _d(before.local_date) if before else None,
            "reference_morning_pain": before.pain_morning if before else None,
            "next_morning_date": _d(session.date + dt.timedelta(days=1)),
            "next_morning_pain": after.pain_morning if after else None,
        }
        rows.append(row)
        if before is None or after is None:
            missing.append(session.date)
        elif after.pain_morning > before.pain_morning:
            rises.append(
                f"the session on {day_text(session.date)} "
                f"({before.pain_morning}/10 → {after.pain_morning}/10)"
            )
    fact = {"sessions": rows}
    if too_few := _too_few(gate, len(sessions), "sessions logged", fact):
        return too_few
    if rises:
        return _result(gate, NOT_MET, "Next-morning pain rose after " + ", ".join(rises), fact)
    if missing:
        return _result(gate, MISSING, f"No check-in around the {_sessions_on(missing)}", fact)
    return _result(
        gate, MET, f"No rise in next-morning pain after the last {window} sessions", fact
    )


def _min_days(gate, facts: PlanFacts, plan, now) -> dict:
    day = plan.day_in_phase(now)
    return _verdict(
        gate,
        day >= gate.threshold,
        f"Day {day} in this phase (the gate needs day {number_text(gate.threshold)})",
        {"phase_entered": _d(plan.phase_entered_on), "day_in_phase": day},
    )


def _measurement_fact(m) -> dict | None:
    if m is None:
        return None
    return {
        "measurement_id": m.id,
        "value": m.value,
        "side": m.side,
        "measured_at": m.measured_at.isoformat(),
    }


def _latest_for_side(facts: PlanFacts, metric, side: str):
    """Latest value on `side`, falling back to an unsided value (a test logged without a side)."""
    latest, metric_id = facts.latest, metric.pk
    if metric.bilateral:
        return latest.get((metric_id, side)) or latest.get((metric_id, ""))
    # A unilateral metric logged with a side anyway: the newest of its series.
    candidates = [latest.get((metric_id, s)) for s in Measurement.MeasuredSide.values]
    return max(filter(None, candidates), key=lambda m: (m.measured_at, m.id), default=None)


def _lsi(gate, facts: PlanFacts, plan, now) -> dict:
    metric, threshold = gate.metric, gate.threshold
    injured, other = plan.injury.side, plan.injury.uninjured_side
    if not metric.bilateral:
        m = _latest_for_side(facts, metric, injured)
        fact = {"lsi_measurement": _measurement_fact(m), "lsi": m.value if m else None}
        if m is None:
            return _result(gate, MISSING, f"{metric.name}: nothing logged in this phase", fact)
        return _verdict(
            gate,
            m.value >= threshold,
            f"LSI {metric_text(metric, m.value)} (at least {number_text(threshold)} %)",
            fact,
        )
    inj = facts.latest.get((metric.pk, injured))
    uninj = facts.latest.get((metric.pk, other))
    fact = {
        "injured_side": injured,
        "injured": _measurement_fact(inj),
        "uninjured": _measurement_fact(uninj),
        "lsi": None,
    }
    if inj is None or uninj is None:
        sides = [s for s, m in ((injured, inj), (other, uninj)) if m is None]
        where = "either side" if len(sides) == 2 else f"the {sides[0]} side"
        return _result(
            gate, MISSING, f"{metric.name}: nothing logged on {where} in this phase", fact
        )
    lower_better = metric.direction == metric.Direction.LOWER
    numerator, denominator = (uninj.value, inj.value) if lower_better else (inj.value, uninj.value)
    if denominator <= 0:
        return _result(gate, MISSING, f"{metric.name}: a zero value gives no LSI", fact)
    lsi = round(numerator / denominator * 100, 1)
    fact["lsi"] = lsi
    return _verdict(
        gate,
        lsi >= threshold,
        f"LSI {number_text(lsi)} % (injured {injured} {metric_text(metric, inj.value)} vs {other} "
        f"{metric_text(metric, uninj.value)}; at least {number_text(threshold)} %)",
        fact,
    )


def _vs_baseline(gate, facts: PlanFacts, plan, now) -> dict:
    metric, threshold = gate.metric, gate.threshold
    side = plan.injury.side if metric.bilateral else ""
    m = _latest_for_side(facts, metric, side)
    baseline = facts.baselines.get((metric.pk, side)) or facts.baselines.get((metric.pk, ""))
    fact = {
        "measurement": _measurement_fact(m),
        "baseline": {
            "value": baseline.value,
            "side": baseline.side,
            "measured_on": _d(baseline.measured_on),
        }
        if baseline
        else None,
        "percent_of_baseline": None,
    }
    if baseline is None:
        return _result(gate, MISSING, f"{metric.name}: no pre-injury baseline recorded", fact)
    if m is None:
        return _result(gate, MISSING, f"{metric.name}: nothing logged in this phase", fact)
    limit = baseline.value * threshold / 100
    pct = round(m.value / baseline.value * 100, 1) if baseline.value else None
    fact["percent_of_baseline"] = pct
    fact["limit"] = round(limit, 4)
    ok, word = _at_or_beyond(metric, m.value, limit)
    return _verdict(
        gate,
        ok,
        f"{metric_text(metric, m.value)} = {number_text(pct)} % of the pre-injury baseline "
        f"{metric_text(metric, baseline.value)} ({word} {number_text(threshold)} %)",
        fact,
    )


def _metric_threshold(gate, facts: PlanFacts, plan, now) -> dict:
    metric, threshold = gate.metric, gate.threshold
    m = _latest_for_side(facts, metric, plan.injury.side)
    fact = {"measurement": _measurement_fact(m)}
    if m is None:
        return _result(
            gate, MISSING, f"{metric.name}: nothing logged on the injured side in this phase", fact
        )
    ok, word = _at_or_beyond(metric, m.value, threshold)
    return _verdict(
        gate,
        ok,
        f"{metric_text(metric, m.value)} ({word} {metric_text(metric, threshold)})",
        fact,
    )


def _test_passed(gate, facts: PlanFacts, plan, now) -> dict:
    metric = gate.metric
    m = _latest_for_side(facts, metric, plan.injury.side)
    fact = {"measurement": _measurement_fact(m)}
    if m is None:
        return _result(gate, MISSING, f"{metric.name}: no result in this phase", fact)
    passed = m.value == 1
    return _verdict(
        gate, passed, f"{'Passed' if passed else 'Not passed'} on {day_text(m.measured_at)}", fact
    )


def _confidence(gate, facts: PlanFacts, plan, now) -> dict:
    window, threshold = gate.window, gate.threshold
    checkins = facts.confidence_checkins[:window]
    fact = {
        "checkins": [
            {"checkin_id": c.id, "date": _d(c.local_date), "confidence": c.confidence}
            for c in checkins
        ]
    }
    if too_few := _too_few(gate, len(checkins), "check-ins with confidence", fact):
        return too_few
    lowest = min(c.confidence for c in checkins)
    fact["lowest"] = lowest
    return _verdict(
        gate,
        lowest >= threshold,
        f"Lowest confidence {lowest}/10 in the last {window} check-ins "
        f"(at least {number_text(threshold)})",
        fact,
    )


def _speed_exposures(gate, facts: PlanFacts, plan, now) -> dict:
    needed, share = gate.window, gate.threshold
    baseline = facts.top_speed
    trials = [t for t in facts.sprints if t.measured_at <= now]
    fact = {
        "baseline_mss": round(baseline.value, 2) if baseline else None,
        "baseline_source": baseline.source if baseline else None,
        "trials": [
            {
                "trial_id": t.id,
                "measured_at": t.measured_at.isoformat(),
                "mss": round(t.mss, 2),
                "percent": baseline.percent(t.mss) if baseline else None,
            }
            for t in trials
        ],
    }
    if baseline is None:
        return _result(
            gate,
            MISSING,
            "No pre-injury top speed on record (a typed baseline of maximal sprinting speed, "
            "or a trial from before the injury)",
            fact,
        )
    fast = [t for t in fact["trials"] if t["percent"] >= share]
    fact["at_or_above"] = len(fast)
    if len(fast) >= needed:
        return _verdict(
            gate,
            True,
            f"{len(fast)} sprints at ≥ {number_text(share)} % of the pre-injury "
            f"{baseline.value:.2f} m/s in this phase (the gate needs {needed})",
            fact,
        )
    if too_few := _too_few(gate, len(trials), "sprint trials", fact):
        return too_few
    return _verdict(
        gate,
        False,
        f"{len(fast)} of {needed} sprints at ≥ {number_text(share)} % of the pre-injury "
        f"{baseline.value:.2f} m/s in this phase",
        fact,
    )


RULES = {
    GateKind.PAIN: _pain,
    GateKind.NO_NEXT_DAY_SORENESS: _soreness,
    GateKind.MIN_DAYS: _min_days,
    GateKind.LSI: _lsi,
    GateKind.VS_BASELINE: _vs_baseline,
    GateKind.METRIC_THRESHOLD: _metric_threshold,
    GateKind.TEST_PASSED: _test_passed,
    GateKind.CONFIDENCE: _confidence,
    GateKind.SPEED_EXPOSURES: _speed_exposures,
}


def evaluate(plan: Plan, gates: list[GateCriterion], facts: PlanFacts, *, now: dt.datetime) -> dict:
    """The gate report for leaving the plan's current phase (pure: reads only its arguments)."""
    results = [RULES[gate.kind](gate, facts, plan, now) for gate in gates]
    met = sum(1 for r in results if r["status"] == MET)
    missing = sum(1 for r in results if r["status"] == MISSING)
    return {
        "plan_id": plan.pk,
        "phase": {
            "id": plan.current_phase_id,
            "order": plan.current_phase.order,
            "name": plan.current_phase.name,
        },
        "phase_entered_at": plan.phase_entered_at.isoformat(),
        "evaluated_at": now.isoformat(),
        "gates": results,
        "met": met,
        "missing": missing,
        "total": len(results),
        "all_met": met == len(results),
    }
