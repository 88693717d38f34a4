"""The gate engine: is each criterion for leaving the current phase met, not met, or is
evidence missing — always with the facts it looked at (PRODUCT.md §2.3).

Two layers:
- `load_gate_facts(plans, gates)` (rehab.gates.facts) reads everything the gates of many plans
  need in a fixed number of queries (7 with `gates_by_phase`, whatever the number of plans or
  logs);
- `evaluate(plan, gates, facts, now=...)` (rehab.gates.rules) is a pure function of that data;
  its docstring gives the rules the criteria follow.

`evaluate_plan(plan)` and `evaluate_plans(plans)` combine the two. The returned report is
JSON-serialisable and is stored as the evidence snapshot of phase changes and sign-off
requests.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from monitoring.rules import SORENESS_LOOKBACK_DAYS

from ..models import Plan
from .facts import gates_by_phase, load_gate_facts
from .rules import (
    MET,
    MISSING,
    NOT_MET,
    RULES,
    GateStatus,
    PlanFacts,
    evaluate,
)

__all__ = [
    "MET",
    "MISSING",
    "NOT_MET",
    "RULES",
    "SORENESS_LOOKBACK_DAYS",
    "GateStatus",
    "PlanFacts",
    "evaluate",
    "evaluate_plan",
    "evaluate_plans",
    "gates_by_phase",
    "load_gate_facts",
]


def evaluate_plans(
    plans: list[Plan], *, now: dt.datetime | None = None, plan_ids=None
) -> dict[int, dict]:
    """Gate reports for many plans (keyed by plan id) in a fixed number of queries."""
    now = now or timezone.now()
    plans = list(plans)
    gates = gates_by_phase(p.current_phase_id for p in plans)
    facts = load_gate_facts(plans, gates, plan_ids=plan_ids)
    return {
        plan.pk: evaluate(plan, gates.get(plan.current_phase_id, []), facts[plan.pk], now=now)
        for plan in plans
    }


def evaluate_plan(plan: Plan, *, now: dt.datetime | None = None) -> dict:
    return evaluate_plans([plan], now=now)[plan.pk]
