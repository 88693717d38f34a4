"""Writes with rules on plans: assign a protocol, advance, regress (PRODUCT.md §2.2, §2.3).

Every change is recorded in PhaseChange with who, when, why and the gate evidence at that
moment. Changes lock the plan row and apply only to the version the caller saw, so two
people acting at once cannot produce two transitions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from athletes.access import require_role, teams_for
from athletes.evaluation import request_evaluation
from athletes.models import AuditAction, Role

from .audit import phase_state
from .gates import MET, GateStatus, evaluate_plan
from .models import GateCriterion, Phase, PhaseChange, Plan, Protocol, SignOffRequest
from .signoff import build_evidence
from .transitions import (
    Actor,
    locked_active_plan,
    move_phase,
    open_signoff_request,
    record_phase_change,
)
from .transitions import PhaseConflict as PhaseConflict  # raised by advance and regress

ONLY_COACH = "Only the athlete's coach can do this."


@dataclass
class AdvanceResult:
    outcome: str  # "advanced" or "review_requested"
    report: dict
    phase_change: PhaseChange | None = None
    signoff_request: SignOffRequest | None = None

    @property
    def message(self) -> str:
        if self.outcome == "review_requested":
            target = self.signoff_request.target_phase
            return f"Ready for clinician review: entering phase {target.order} ({target.name}) needs a clinician's approval."
        to = self.phase_change.to_phase
        return f"Advanced to phase {to.order} ({to.name})."


def unmet_summary(report: dict) -> str:
    return "; ".join(
        f"{g['description']}: {GateStatus.label_of(g['status']).lower()}"
        for g in report["gates"]
        if g["status"] != MET
    )


def advance_phase(
    plan: Plan,
    *,
    by,
    reason: str = "",
    override: bool = False,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> AdvanceResult:
    """Move the plan to its next phase when every gate is met, or with an override and a
    written reason. Entering a phase that needs clinical review creates a pending sign-off
    request (with the gate evidence) instead: the plan stays where it is.

    Raises PermissionDenied (not the athlete's coach), PhaseConflict (someone else changed the
    plan first) or ValidationError keyed by field (override, reason)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    actor = Actor(by, require_role(by, plan.athlete, (Role.COACH,), message=ONLY_COACH), now)
    with transaction.atomic():
        plan = locked_active_plan(plan, expected_version)
        target = plan.next_phase()
        if target is None:
            raise ValidationError("This is the last phase of the protocol.")
        if SignOffRequest.objects.filter(plan=plan, status=SignOffRequest.Status.PENDING).exists():
            raise ValidationError("A clinician review is already pending for this plan.")
        report = evaluate_plan(plan, now=now)
        overridden = not report["all_met"]
        if overridden and not override:
            raise ValidationError(
                {
                    "override": "Not every gate is met ("
                    + unmet_summary(report)
                    + "). Advance with an override and say why, or keep logging."
                }
            )
        if overridden and not reason:
            raise ValidationError({"reason": "An override needs a written reason."})
        if target.needs_clinical_review:
            request = open_signoff_request(
                plan,
                target,
                actor=actor,
                note=reason,
                evidence={
                    **build_evidence(plan, now=now),
                    "override": overridden,
                    "reason": reason,
                },
            )
            return AdvanceResult("review_requested", report, signoff_request=request)
        change = move_phase(
            plan,
            target,
            kind=PhaseChange.Kind.OVERRIDE if overridden else PhaseChange.Kind.ADVANCE,
            actor=actor,
            reason=reason,
            evidence={"gates": report, "override": overridden, "reason": reason},
            audit_after={"reason": reason, "gates_met": report["met"]},
        )
    return AdvanceResult("advanced", report, phase_change=change)


def regress_phase(
    plan: Plan,
    *,
    to_phase: Phase | None,
    by,
    reason: str,
    flag=None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> PhaseChange:
    """Move the plan back to any earlier phase, with a reason. A pain flag's proposed
    regression is used when no phase is given. A pending clinician review is withdrawn.

    Coaches and clinicians of the athlete's team may regress."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    roles = (Role.COACH, Role.CLINICIAN)
    actor = Actor(by, require_role(by, plan.athlete, roles, message=ONLY_COACH), now)
    if flag is not None and flag.athlete_id != plan.athlete_id:
        raise ValidationError({"flag": "That flag belongs to another athlete."})
    if to_phase is None and flag is not None:
        to_phase = flag.proposed_regression_to
    errors = {}
    if not reason:
        errors["reason"] = "Say why the athlete goes back."
    if to_phase is None:
        errors["to_phase"] = "Choose the phase to go back to."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = locked_active_plan(plan, expected_version)
        if to_phase.protocol_id != plan.protocol_id:
            raise ValidationError({"to_phase": "That phase belongs to another protocol."})
        if to_phase.order >= plan.current_phase.order:
            raise ValidationError(
                {"to_phase": f"Choose a phase before the current one ({plan.current_phase})."}
            )
        report = evaluate_plan(plan, now=now)
        withdrawn = list(
            SignOffRequest.objects.filter(
                plan=plan, status=SignOffRequest.Status.PENDING
            ).values_list("pk", flat=True)
        )
        SignOffRequest.objects.filter(pk__in=withdrawn).update(
            status=SignOffRequest.Status.WITHDRAWN
        )
        evidence = {"gates": report}
        if flag is not None:
            evidence["flag"] = {
                "id": flag.pk,
                "kind": flag.kind,
                "summary": flag.summary,
                "opened_at": flag.opened_at.isoformat(),
                "evidence": flag.evidence,
            }
        return move_phase(
            plan,
            to_phase,
            kind=PhaseChange.Kind.REGRESS,
            actor=actor,
            reason=reason,
            evidence=evidence,
            audit_after={
                "reason": reason,
                "flag": flag.pk if flag is not None else None,
                "withdrawn_requests": withdrawn,
            },
        )


def assign_protocol(injury, protocol, *, by, now: dt.datetime | None = None) -> Plan:
    """Start a plan for an injury at the protocol's first phase. Refused when the athlete
    already has an active plan or the injury already has one."""
    now = now or timezone.now()
    athlete = injury.athlete
    actor = Actor(by, require_role(by, athlete, (Role.COACH,), message=ONLY_COACH), now)
    if protocol.team_id not in (None, athlete.team_id):
        raise ValidationError({"protocol": "That protocol belongs to another team."})
    if protocol.muscle_group != injury.muscle_group:
        raise ValidationError(
            {"protocol": f"Choose a {injury.get_muscle_group_display().lower()} protocol."}
        )
    first = protocol.phases.order_by("order").first()
    if first is None:
        raise ValidationError({"protocol": "That protocol has no phases."})
    try:
        with transaction.atomic():
            # Serialise assignments for one athlete; the unique constraint is the backstop.
            type(athlete).objects.select_for_update().filter(pk=athlete.pk).first()
            if Plan.objects.filter(athlete=athlete, status=Plan.Status.ACTIVE).exists():
                raise ValidationError(
                    {"protocol": "This athlete already has an active plan. Close it first."}
                )
            if Plan.objects.filter(injury=injury).exists():
                raise ValidationError({"injury": "This injury already has a plan."})
            plan = Plan.objects.create(
                athlete=athlete,
                injury=injury,
                protocol=protocol,
                current_phase=first,
                started_at=now,
                phase_entered_at=now,
                created_by=by,
            )
            reason = f"Assigned {protocol.name}"
            record_phase_change(
                plan, first, kind=PhaseChange.Kind.START, actor=actor, reason=reason
            )
            # In a plan, the athlete's earlier check-ins now count for the monitoring rules.
            request_evaluation([athlete.pk])
            after = {**phase_state(plan), "protocol": protocol.name, "injury": injury.pk}
            actor.audit(plan, AuditAction.PLAN_ASSIGN, plan, after=after)
    except IntegrityError:
        raise ValidationError(
            {"protocol": "This athlete already has an active plan. Close it first."}
        ) from None
    return plan


def copy_protocol(protocol: Protocol, *, team, by, name: str = "") -> Protocol:
    """A team's own editable copy of a protocol (usually a shipped template): the same phases
    and gate criteria, linked to the original by `based_on`. Only the team's coaches may copy."""
    if not teams_for(by, [Role.COACH]).filter(pk=team.pk).exists():
        raise PermissionDenied("Only a coach of the team can copy a protocol for it.")
    if protocol.team_id not in (None, team.pk):
        raise ValidationError({"protocol": "That protocol belongs to another team."})
    base = (name or f"{protocol.name} ({team.name})").strip()[:110]
    for n in itertools.count(1):
        candidate = base if n == 1 else f"{base} {n}"
        if Protocol.name_taken(team.pk, candidate):
            continue
        try:
            return _copy_as(protocol, team=team, name=candidate)
        except IntegrityError:
            # A concurrent copy took this name first (the team-and-name constraint): next one.
            if not Protocol.name_taken(team.pk, candidate):
                raise


def _copy_as(protocol: Protocol, *, team, name: str) -> Protocol:
    with transaction.atomic():
        copy = Protocol.objects.create(
            name=name,
            muscle_group=protocol.muscle_group,
            team=team,
            based_on=protocol,
            is_template=False,
            description=protocol.description,
            pain_threshold=protocol.pain_threshold,
            pain_persist_hours=protocol.pain_persist_hours,
            missed_checkin_days=protocol.missed_checkin_days,
        )
        for phase in protocol.phases.prefetch_related("gates"):
            gates = list(phase.gates.all())
            phase.pk, phase.protocol = None, copy
            phase._state.adding = True
            phase.save()
            for gate in gates:
                gate.pk, gate.phase = None, phase
                gate._state.adding = True
            GateCriterion.objects.bulk_create(gates)
    return copy
