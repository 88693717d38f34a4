"""The athlete's view of their plan: where they are, what is allowed, what is still to happen."""

import datetime as dt
import importlib
import logging
from dataclasses import dataclass, field

from django.utils import timezone

from .athlete_words import gate_sentence
from .models import Phase, Plan

logger = logging.getLogger(__name__)


@dataclass
class GateLine:
    description: str
    # A GateStatus value when the gate engine answered (the page words it with `gate_status`).
    status: str | None = None
    detail: str = ""
    # The result in the athlete's own words (rehab.athlete_words.gate_sentence); the
    # description when the engine gave no result.
    sentence: str = ""
    gate_id: int | None = None
    kind: str | None = None


@dataclass
class PlanSummary:
    plan: Plan
    phase: Phase
    day_in_phase: int
    next_phase: Phase | None
    phase_count: int
    gates: list[GateLine] = field(default_factory=list)


def _gate_engine():
    """rehab.gates when it is installed (built separately); None until then."""
    try:
        return importlib.import_module("rehab.gates")
    except ImportError:
        return None


def _gate_lines(plan: Plan, gates, *, now: dt.datetime) -> list[GateLine]:
    """Each gate of the current phase in words, with the gate engine's verdict and facts
    (`rehab.gates.evaluate_plan`) when the engine is installed."""
    engine = _gate_engine()
    evaluate_plan = getattr(engine, "evaluate_plan", None)
    results = {}
    if evaluate_plan is not None:
        try:
            report = evaluate_plan(plan, now=now)
            results = {r["gate_id"]: r for r in report.get("gates", [])}
        except Exception:  # the athlete's page still lists the gates if an evaluation fails
            logger.exception("gate evaluation failed for plan %s", plan.pk)
    lines = []
    for gate in gates:
        result = results.get(gate.pk, {})
        description = gate.description or gate.get_kind_display()
        lines.append(
            GateLine(
                description=description,
                status=result.get("status"),
                detail=result.get("detail") or "",
                sentence=(gate_sentence(result) if result else "") or description,
                gate_id=gate.pk,
                kind=gate.kind,
            )
        )
    return lines


def athlete_plan_summary(athlete, *, now: dt.datetime | None = None) -> PlanSummary | None:
    """The athlete's active plan with today's allowance and the gates of the current phase,
    in three queries; None when the athlete has no active plan."""
    now = now or timezone.now()
    plan = (
        Plan.objects.filter(athlete=athlete, status=Plan.Status.ACTIVE)
        .select_related("current_phase", "protocol", "injury")
        .first()
    )
    if plan is None:
        return None
    phases = list(Phase.objects.filter(protocol=plan.protocol_id).order_by("order"))
    phase = plan.current_phase
    gates = list(phase.gates.all())
    return PlanSummary(
        plan=plan,
        phase=phase,
        day_in_phase=plan.day_in_phase(now),
        next_phase=plan.next_phase(phases),
        phase_count=len(phases),
        gates=_gate_lines(plan, gates, now=now),
    )
