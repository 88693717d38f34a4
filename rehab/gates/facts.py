"""The database half of the gate engine: everything the gates of many plans look at, read in
a fixed number of queries whatever the number of plans or logs (`gates_by_phase` one,
`load_gate_facts` at most six). `rehab.gates.rules.evaluate` turns the result into a report.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from functools import reduce

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from athletes.models import Baseline
from monitoring.models import CheckIn, Measurement, SprintTrial, TrainingSession
from monitoring.rules import SORENESS_LOOKBACK_DAYS
from monitoring.sprints import USABLE_QUALITIES, pre_injury_top_speeds

from ..models import GateCriterion, GateKind, Plan
from .rules import PlanFacts


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# The gates that read the last `window` sessions, and those that read check-ins with confidence.
SESSION_KINDS = (GateKind.PAIN, GateKind.NO_NEXT_DAY_SORENESS)
CONFIDENCE_KINDS = (GateKind.CONFIDENCE,)
SPRINT_KINDS = (GateKind.SPEED_EXPOSURES,)


def _largest_window(gates, kinds) -> int:
    """How many of the latest logs the gates of these kinds look at (0 with none)."""
    return max([g.window or 0 for g in gates if g.kind in kinds] or [0])


def gates_by_phase(phase_ids) -> dict[int, list[GateCriterion]]:
    """The gate criteria of these phases (one query)."""
    result: dict[int, list[GateCriterion]] = defaultdict(list)
    for gate in GateCriterion.objects.filter(phase_id__in=set(phase_ids)).select_related("metric"):
        result[gate.phase_id].append(gate)
    return result


def load_gate_facts(
    plans: list[Plan], gates: dict[int, list[GateCriterion]], *, plan_ids=None
) -> dict[int, PlanFacts]:
    """Read the data the gates of `plans` need, keyed by plan id, in at most nine queries
    (the last three only when a plan's phase has a speed_exposures gate).

    `plans` must have `current_phase` and `injury` loaded (select_related). `plan_ids` may
    be a subquery selecting the same plans' ids (cheaper than binding hundreds of ids)."""
    facts = {plan.pk: PlanFacts() for plan in plans}
    if not plans:
        return facts
    by_athlete = {plan.athlete_id: facts[plan.pk] for plan in plans}  # rows name the athlete
    starts = {plan.athlete_id: plan.phase_entered_on for plan in plans}

    # Group athletes by the day their phase started, so "on or after the phase start" is one
    # clause per distinct day rather than per athlete.
    def since_phase(date_field: str, days_before: int = 0, starts_for=None) -> Q:
        groups: dict[dt.date, list[int]] = defaultdict(list)
        for athlete_id, start in (starts_for or starts).items():
            groups[start - dt.timedelta(days=days_before)].append(athlete_id)
        return reduce(
            operator.or_,
            (Q(athlete_id__in=ids, **{f"{date_field}__gte": day}) for day, ids in groups.items()),
        )

    if plan_ids is None:
        plan_ids = [plan.pk for plan in plans]
    earliest = min(starts.values())

    def in_phase(date_field: str) -> Q:
        """On or after the local day each athlete's plan entered its phase, as one join on the
        plan (all three conditions in one filter() call share the join)."""
        bound = earliest if "__date" not in date_field else _start_of_day(earliest)
        # Q objects, not keywords: for a date field both bounds are "<field>__gte", and a dict
        # would keep only the second (the constant), crediting a plan of a batch with evidence
        # from before its phase as far back as the batch's earliest phase start.
        return (
            Q(athlete__plans__pk__in=plan_ids)
            & Q(**{f"{date_field}__gte": TruncDate("athlete__plans__phase_entered_at")})
            # The same bound as a constant, so the planner can range-scan the date index.
            & Q(**{f"{date_field.removesuffix('__date')}__gte": bound})
        )

    windows = {
        plan.athlete_id: _largest_window(gates.get(plan.current_phase_id, []), SESSION_KINDS)
        for plan in plans
    }
    max_window = max(windows.values())
    if max_window:
        sessions = (
            TrainingSession.objects.filter(in_phase("date"))
            .order_by()  # no default ordering: the window orders what it needs
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("athlete_id")],
                    order_by=[F("date").desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=max_window)
            .values_list(
                "id", "athlete_id", "date", "pain_during", "pain_after", "rank", named=True
            )
        )
        for session in sessions:
            if session.rank <= windows[session.athlete_id]:
                by_athlete[session.athlete_id].sessions.append(session)
        for plan_facts in facts.values():
            plan_facts.sessions.sort(key=lambda s: (s.date, s.id), reverse=True)

        # Check-ins around those sessions: the week before the oldest one up to today.
        oldest = {}
        for plan in plans:
            plan_sessions = facts[plan.pk].sessions
            if plan_sessions:
                oldest[plan.athlete_id] = plan_sessions[-1].date
        if oldest:
            checkins = (
                CheckIn.objects.filter(
                    since_phase("local_date", SORENESS_LOOKBACK_DAYS, starts_for=oldest)
                )
                .order_by()
                .values_list(
                    "id",
                    "athlete_id",
                    "local_date",
                    "pain_rest",
                    "pain_activity",
                    "pain_morning",
                    named=True,
                )
            )
            for checkin in checkins:
                by_athlete[checkin.athlete_id].checkins_by_date[checkin.local_date] = checkin

    confidence_window = {
        plan.athlete_id: _largest_window(gates.get(plan.current_phase_id, []), CONFIDENCE_KINDS)
        for plan in plans
    }
    if max(confidence_window.values()):
        confidence = (
            CheckIn.objects.filter(in_phase("local_date"), confidence__isnull=False)
            .order_by()
            .annotate(
                rank=Window(
                    RowNumber(), partition_by=[F("athlete_id")], order_by=[F("local_date").desc()]
                )
            )
            .filter(rank__lte=max(confidence_window.values()))
            .values_list("id", "athlete_id", "local_date", "confidence", "rank", named=True)
        )
        for checkin in confidence:
            if checkin.rank <= confidence_window[checkin.athlete_id]:
                by_athlete[checkin.athlete_id].confidence_checkins.append(checkin)
        for plan_facts in facts.values():
            plan_facts.confidence_checkins.sort(key=lambda c: c.local_date, reverse=True)

    metric_ids = {g.metric_id for phase_gates in gates.values() for g in phase_gates if g.metric_id}
    if metric_ids:
        # Only the metrics that gate each athlete's current phase, measured in that phase.
        wanted = Measurement.objects.filter(
            in_phase("measured_at__date"),
            metric_id__in=metric_ids,
            metric__gate_criteria__phase_id=F("athlete__plans__current_phase_id"),
        )
        # The newest value of each series (athlete, metric, side), ranked in the database: one
        # query for both, and a third of the rows a roster would otherwise carry over.
        newest = (
            wanted.order_by()
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("athlete_id"), F("metric_id"), F("side")],
                    order_by=[F("measured_at").desc(), F("id").desc()],
                )
            )
            .filter(rank=1)
            .values_list(
                "id", "athlete_id", "metric_id", "side", "value", "measured_at", named=True
            )
        )
        for m in newest:
            by_athlete[m.athlete_id].latest[(m.metric_id, m.side)] = m
        baselines = (
            Baseline.objects.filter(athlete__plans__pk__in=plan_ids, metric_id__in=metric_ids)
            .order_by()
            .values_list(
                "id", "athlete_id", "metric_id", "side", "value", "measured_on", named=True
            )
        )
        for b in baselines:
            by_athlete[b.athlete_id].baselines[(b.metric_id, b.side)] = b

    sprinting = [
        plan.athlete_id
        for plan in plans
        if any(g.kind in SPRINT_KINDS for g in gates.get(plan.current_phase_id, []))
    ]
    if sprinting:
        trials = (
            SprintTrial.objects.filter(
                in_phase("measured_at__date"),
                athlete_id__in=sprinting,
                quality__in=USABLE_QUALITIES,
                mss__isnull=False,
            )
            .order_by("-measured_at", "-id")
            .values_list("id", "athlete_id", "measured_at", "mss", named=True)
        )
        for trial in trials:
            by_athlete[trial.athlete_id].sprints.append(trial)
        for athlete_id, baseline in pre_injury_top_speeds(sprinting).items():
            by_athlete[athlete_id].top_speed = baseline
    return facts
