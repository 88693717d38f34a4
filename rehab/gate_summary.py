"""Stored gate summaries: "3 of 5 met" for every plan without evaluating every plan per view.

The gate engine (rehab.gates) is the only judge; this module keeps its verdict's counts on the
plan (`gates_met`, `gates_missing`, `gates_total`) so that the roster can sort and count from
them. The full evidence is always evaluated live where it is shown (athlete page, advance
dialog, sign-off).

A stored summary is trusted only while `gates_valid_until` is in the future:
- Database triggers (migration 0007) set it to NULL whenever evidence changes — a check-in,
  session, measurement, baseline or injury of the athlete, a gate criterion of the phase, or a
  phase change — whatever wrote it. They also bump `gates_epoch`.
- Time alone changes one kind of gate (minimum days in phase), and only at a local midnight,
  so a summary is valid until the next local midnight after it was evaluated.
A stale summary is evaluated live by its reader (`summaries_for`) and stored again by
`refresh_stale`, which Celery beat runs every minute. A refresh stores its result only if the
plan's epoch is still the one it read before reading the evidence; otherwise the evidence
changed meanwhile and the plan stays stale for the next run.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from .gates import evaluate_plans
from .models import Plan

logger = logging.getLogger(__name__)

REFRESH_CHUNK = 500


def valid_until(now: dt.datetime) -> dt.datetime:
    """The next local midnight: when a "minimum days in phase" gate can next change."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))


def stale_q(now: dt.datetime) -> Q:
    return Q(gates_valid_until__isnull=True) | Q(gates_valid_until__lte=now)


def is_fresh(plan: Plan, now: dt.datetime) -> bool:
    return plan.gates_valid_until is not None and plan.gates_valid_until > now


def summary_of(report: dict) -> dict:
    """The counts of a gate report (rehab.gates.evaluate)."""
    return {
        "met": report["met"],
        "missing": report["missing"],
        "total": report["total"],
        "all_met": report["all_met"],
    }


def stored_summary(plan: Plan) -> dict:
    return {
        "met": plan.gates_met,
        "missing": plan.gates_missing,
        "total": plan.gates_total,
        "all_met": plan.gates_met == plan.gates_total,
    }


def summaries_for(plans: list[Plan], *, now: dt.datetime, plan_ids=None) -> dict[int, dict]:
    """The gate summary of each plan (keyed by plan id): stored when fresh, evaluated live when
    stale (a fixed number of queries). `plans` need current_phase and injury loaded; `plan_ids`
    may be a subquery selecting exactly these plans, used when every plan is stale."""
    stale = [plan for plan in plans if not is_fresh(plan, now)]
    summaries = {plan.pk: stored_summary(plan) for plan in plans if is_fresh(plan, now)}
    if stale:
        ids = plan_ids if len(stale) == len(plans) and plan_ids is not None else None
        for plan_id, report in evaluate_plans(stale, now=now, plan_ids=ids).items():
            summaries[plan_id] = summary_of(report)
    return summaries


def store(plans: list[Plan], *, now: dt.datetime | None = None) -> int:
    """Evaluate `plans` (loaded with their epoch *before* this call reads the evidence) and store
    each summary unless its evidence changed meanwhile. Returns how many were stored."""
    now = now or timezone.now()
    until = valid_until(now)
    epochs = {plan.pk: plan.gates_epoch for plan in plans}
    stored = 0
    for plan_id, report in evaluate_plans(plans, now=now).items():
        stored += Plan.objects.filter(
            pk=plan_id, gates_epoch=epochs[plan_id], status=Plan.Status.ACTIVE
        ).update(
            gates_met=report["met"],
            gates_missing=report["missing"],
            gates_total=report["total"],
            gates_valid_until=until,
        )
    return stored


def refresh_stale(*, now: dt.datetime | None = None, chunk: int = REFRESH_CHUNK) -> dict:
    """Evaluate and store every active plan whose summary is stale, `chunk` plans at a time
    (Celery beat, every minute; seed_demo at the end). Plans whose evidence changes during the
    run stay stale for the next one."""
    now = now or timezone.now()
    last_pk, seen, stored = 0, 0, 0
    while True:
        plans = list(
            Plan.objects.filter(stale_q(now), status=Plan.Status.ACTIVE, pk__gt=last_pk)
            .select_related("current_phase", "injury")
            .order_by("pk")[:chunk]
        )
        if not plans:
            break
        last_pk = plans[-1].pk
        seen += len(plans)
        stored += store(plans, now=now)
    if seen:
        logger.info("gate summaries refreshed", extra={"stale": seen, "stored": stored})
    return {"stale": seen, "stored": stored}
