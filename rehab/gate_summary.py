"""Each active plan's gate counts, kept by the change queue's one consumer for the roster.

Why it exists: the roster sorts 500 athletes on "who needs attention first", and that needs
every plan's gates; judging 2,250 gates on each render cost 250 ms of a 400 ms page, the
stored counts cost one query (bench/README.md, roster, 2026-12-03). Every other page judges
its one plan live (rehab.gates).

How the counts stay right, with no trigger and no second queue:
- Evidence changes: the services that write it queue the athlete (athletes.evaluation), and
  the consumer (rehab.evaluation.evaluate_pending) calls `refresh` for the athletes it
  claimed, after their flags.
- The calendar: a minimum-days gate turns at a local midnight known in advance; `refresh`
  stores that moment as `valid_until`, and `queue_due` (run by the consumer each time beat
  sends it, every minute) queues the athletes whose moment has passed, or whose plan has no
  summary for its current phase, so nothing depends on every writer remembering.
- The roster (rehab.selectors.roster) judges live the few plans whose counts are not good
  (`stored_counts`, or waiting in the queue) and says "updating" where it used the last
  counts for more of them than it judges on one render.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from athletes.evaluation import request_evaluation
from athletes.models import EvaluationRequest

from .gates import MET, evaluate_plans
from .models import GateKind, GateSummary, Plan

SUMMARY_FIELDS = ("phase", "met", "missing", "total", "evaluated_at", "valid_until")


def valid_until(plan: Plan, report: dict) -> dt.datetime | None:
    """When the report's counts may change with no new evidence: the earliest local midnight at
    which an unmet minimum-days gate is met (the only gate `now` decides), else None."""
    turns = [
        plan.day_begins_at(math.ceil(gate["threshold"]))
        for gate in report["gates"]
        if gate["kind"] == GateKind.MIN_DAYS and gate["status"] != MET
    ]
    return min(turns, default=None)


def refresh(athlete_ids, *, now: dt.datetime | None = None) -> int:
    """Judge the gates of these athletes' active plans and store the counts; returns how many
    were stored. A summary already stored from a later evaluation (another worker's, which saw
    newer evidence) is kept: the rows are locked first and only older ones are replaced."""
    now = now or timezone.now()
    plans = list(
        Plan.objects.active()
        .filter(athlete_id__in=athlete_ids)
        .select_related("current_phase__protocol", "injury")
    )
    if not plans:
        return 0
    reports = evaluate_plans(plans, now=now)
    rows = [
        GateSummary(
            plan=plan,
            phase_id=plan.current_phase_id,
            met=report["met"],
            missing=report["missing"],
            total=report["total"],
            evaluated_at=now,
            valid_until=valid_until(plan, report),
        )
        for plan in plans
        for report in [reports[plan.pk]]
    ]
    with transaction.atomic():
        newer = set(
            GateSummary.objects.select_for_update()
            .filter(plan__in=plans, evaluated_at__gt=now)
            .values_list("plan_id", flat=True)
        )
        rows = [row for row in rows if row.plan_id not in newer]
        GateSummary.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["plan"], update_fields=SUMMARY_FIELDS
        )
    return len(rows)


def due(now: dt.datetime):
    """Active plans whose stored counts are no longer good and whose athlete is not queued yet:
    no summary for the current stay in the phase, or its `valid_until` has passed."""
    good = GateSummary.objects.describing().filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now), plan=OuterRef("pk")
    )
    return Plan.objects.active().filter(
        ~Exists(good), ~Exists(EvaluationRequest.objects.filter(athlete_id=OuterRef("athlete_id")))
    )


def queue_due(*, now: dt.datetime | None = None) -> int:
    """Queue the athletes of `due` plans; returns how many. The consumer calls it and claims
    them next, so it does not wake itself."""
    athlete_ids = list(due(now or timezone.now()).values_list("athlete_id", flat=True))
    request_evaluation(athlete_ids, wake=False)
    return len(athlete_ids)


def queue_protocol(protocol_id: int) -> None:
    """A protocol's phases, gates or thresholds changed (the editor, the admin): queue the
    athletes whose active plan follows it, in the caller's transaction."""
    request_evaluation(
        Plan.objects.active().filter(protocol_id=protocol_id).values_list("athlete_id", flat=True)
    )


def stored_counts(plan_ids, *, now: dt.datetime) -> dict[int, tuple[dict, bool]]:
    """The stored counts of these plans (`plan_ids` may be a subquery) that describe the plan's
    current stay in its phase: plan id -> (counts in a gate report's shape, still good at
    `now`). Read as plain values: the roster reads 450 of them on every render."""
    rows = (
        GateSummary.objects.describing()
        .filter(plan_id__in=plan_ids)
        .annotate(
            good=ExpressionWrapper(
                Q(valid_until__isnull=True) | Q(valid_until__gt=now), output_field=BooleanField()
            )
        )
        .values_list("plan_id", "met", "missing", "total", "good")
    )
    return {
        plan_id: ({"met": met, "missing": missing, "total": total, "all_met": met == total}, good)
        for plan_id, met, missing, total, good in rows
    }
