"""Writes with rules on plans: assign a protocol, advance, regress (PRODUCT.md §2.2, §2.3).

Over 400 lines: each decision on a plan (assign, with a mid-rehab start; advance; regress;
complete; close an injury) and copying a protocol, with its checks, sharing the locking and
audit steps of rehab.transitions.

Every change is recorded in PhaseChange with who, when, why and the gate evidence at that
moment. Changes lock the plan row and apply only to the version the caller saw, so two
people acting at once cannot produce two transitions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from athletes.access import require_injury_role, require_role, teams_for
from athletes.audit import record_event
from athletes.evaluation import request_evaluation
from athletes.models import AuditAction, Role
from core.serializers import display_name

from .audit import phase_state
from .gates import MET, GateStatus, evaluate_plan
from .models import (
    Citation,
    GateCriterion,
    Phase,
    PhaseChange,
    Plan,
    Protocol,
    ProtocolChange,
    RetestSchedule,
    SignOffRequest,
)
from .protocol_log import record_change
from .signoff import build_evidence
from .transitions import (
    Actor,
    locked_active_plan,
    move_phase,
    open_signoff_request,
    record_phase_change,
)
from .transitions import PhaseConflict as PhaseConflict  # raised by advance and regress

ONLY_COACH = gettext_lazy("Only the athlete's coach can do this.")


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
            return _(
                "Ready for clinician review: entering phase %(number)s (%(name)s) needs a "
                "clinician's approval."
            ) % {"number": target.order, "name": target.name}
        to = self.phase_change.to_phase
        return _("Advanced to phase %(number)s (%(name)s).") % {"number": to.order, "name": to.name}


def unmet_summary(report: dict) -> str:
    return "; ".join(
        _("%(gate)s: %(status)s")
        % {"gate": g["description"], "status": GateStatus.label_of(g["status"]).lower()}
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
            raise ValidationError(_("This is the last phase of the protocol."))
        if SignOffRequest.objects.filter(plan=plan, status=SignOffRequest.Status.PENDING).exists():
            raise ValidationError(_("A clinician review is already pending for this plan."))
        report = evaluate_plan(plan, now=now)
        overridden = not report["all_met"]
        if overridden and not override:
            raise ValidationError(
                {
                    "override": _(
                        "Not every gate is met (%(unmet)s). Advance with an override and say "
                        "why, or keep logging."
                    )
                    % {"unmet": unmet_summary(report)}
                }
            )
        if overridden and not reason:
            raise ValidationError({"reason": _("An override needs a written reason.")})
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
        raise ValidationError({"flag": _("That flag belongs to another athlete.")})
    if to_phase is None and flag is not None:
        to_phase = flag.proposed_regression_to
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the athlete goes back.")
    if to_phase is None:
        errors["to_phase"] = _("Choose the phase to go back to.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = locked_active_plan(plan, expected_version)
        if to_phase.protocol_id != plan.protocol_id:
            raise ValidationError({"to_phase": _("That phase belongs to another protocol.")})
        if to_phase.order >= plan.current_phase.order:
            raise ValidationError(
                {
                    "to_phase": _("Choose a phase before the current one (%(phase)s).")
                    % {"phase": plan.current_phase}
                }
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


def _midnight(day: dt.date) -> dt.datetime:
    """The start of a local calendar day: a date typed on a page as a moment."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _as_moment(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return _midnight(value)


def _start_times(injury, protocol, *, started_at, phase, phase_entered_at, now):
    """The start of a plan and the phase it is in since when: the first phase now, or
    mid-rehab a past start and phase `phase` (an order number) since `phase_entered_at`.
    ValidationError keyed by field for a future date, an entry before the start, a start
    before the injury, or an order the protocol does not have."""
    started_at = _as_moment(started_at) or now
    phase_entered_at = _as_moment(phase_entered_at) or started_at
    phases = list(protocol.phases.order_by("order"))
    errors = {}
    if phase is None:
        target = phases[0]
    else:
        target = next((p for p in phases if p.order == phase), None)
        if target is None:
            orders = ", ".join(str(p.order) for p in phases)
            errors["phase"] = _(
                "This protocol has no phase %(number)s (its phases: %(orders)s)."
            ) % {
                "number": phase,
                "orders": orders,
            }
    if started_at > now:
        errors["started_at"] = _("A plan cannot start in the future.")
    elif timezone.localdate(started_at) < injury.occurred_on:
        errors["started_at"] = _("A plan cannot start before the injury occurred.")
    if phase_entered_at > now:
        errors["phase_entered_at"] = _("The phase cannot be entered in the future.")
    elif phase_entered_at < started_at:
        errors["phase_entered_at"] = _("The phase cannot be entered before the plan started.")
    if errors:
        raise ValidationError(errors)
    return started_at, target, phase_entered_at, phases[0]


def brought_in_reason(phase: Phase, entered_at: dt.datetime, by) -> str:
    """The words of a mid-rehab start's phase change: "Brought in at phase 2 on 5 Nov 2026 by
    Sam Carter"."""
    day = date_format(timezone.localdate(entered_at), "DATE_FORMAT")
    return f"Brought in at phase {phase.order} on {day} by {display_name(by)}"


ALREADY_IN_A_PLAN = gettext_lazy("This athlete already has an active plan. Close it first.")


def _protocol_of_group(injury) -> str:
    """The refusal of a protocol for another muscle group than the injury's."""
    if injury.muscle_group == "hamstring":
        return _("Choose a hamstring protocol.")
    if injury.muscle_group == "calf":
        return _("Choose a calf protocol.")
    return _("Choose a %(group)s protocol.") % {"group": injury.get_muscle_group_display().lower()}


def assign_protocol(
    injury,
    protocol,
    *,
    by,
    started_at: dt.datetime | dt.date | None = None,
    phase: int | None = None,
    phase_entered_at: dt.datetime | dt.date | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """Start a plan for an injury: at the protocol's first phase now, or mid-rehab — started
    at a past `started_at`, in phase `phase` (an order number) since a past `phase_entered_at`
    (dates count from the start of their local day). The one service behind the page's form
    and `POST /api/v1/plans/`.

    Recorded as explicit phase changes: the start (at `started_at`), and for a mid-rehab start
    the move into `phase` at `phase_entered_at` ("Brought in at phase 2 on 5 Nov 2026 by …").
    Day in phase and the gates count from `phase_entered_at`. Refused when the athlete already
    has an active plan, the injury already has one or is closed, or a date is in the future."""
    now = now or timezone.now()
    athlete = injury.athlete
    actor = Actor(by, require_role(by, athlete, (Role.COACH,), message=ONLY_COACH), now)
    if protocol.team_id not in (None, athlete.team_id):
        raise ValidationError({"protocol": _("That protocol belongs to another team.")})
    if protocol.muscle_group != injury.muscle_group:
        raise ValidationError({"protocol": _protocol_of_group(injury)})
    if not protocol.phases.exists():
        raise ValidationError({"protocol": _("That protocol has no phases.")})
    if injury.is_closed:
        raise ValidationError({"injury": _("This injury is closed: record a new injury.")})
    started_at, target, entered_at, first = _start_times(
        injury,
        protocol,
        started_at=started_at,
        phase=phase,
        phase_entered_at=phase_entered_at,
        now=now,
    )
    brought_in = target != first or entered_at != started_at
    try:
        with transaction.atomic():
            # Serialise assignments for one athlete; the unique constraint is the backstop.
            type(athlete).objects.select_for_update().filter(pk=athlete.pk).first()
            if Plan.objects.filter(athlete=athlete, status=Plan.Status.ACTIVE).exists():
                raise ValidationError({"protocol": ALREADY_IN_A_PLAN})
            if Plan.objects.filter(injury=injury).exists():
                raise ValidationError({"injury": _("This injury already has a plan.")})
            plan = Plan.objects.create(
                athlete=athlete,
                injury=injury,
                protocol=protocol,
                current_phase=target,
                started_at=started_at,
                phase_entered_at=entered_at,
                recorded_at=now,
                created_by=by,
            )
            record_phase_change(
                plan,
                first,
                kind=PhaseChange.Kind.START,
                actor=replace(actor, now=started_at),
                reason=f"Assigned {protocol.name}",
            )
            reason = ""
            if brought_in:
                reason = brought_in_reason(target, entered_at, by)
                record_phase_change(
                    plan,
                    target,
                    kind=PhaseChange.Kind.BROUGHT_IN,
                    actor=replace(actor, now=entered_at),
                    reason=reason,
                    from_phase=first,
                    evidence={"recorded_at": now.isoformat()},
                )
            # In a plan, the athlete's earlier check-ins now count for the monitoring rules.
            request_evaluation([athlete.pk])
            after = {**phase_state(plan), "protocol": protocol.name, "injury": injury.pk}
            if brought_in:
                after.update(
                    reason=reason,
                    started_at=started_at.isoformat(),
                    phase_entered_at=entered_at.isoformat(),
                )
            actor.audit(plan, AuditAction.PLAN_ASSIGN, plan, after=after)
    except IntegrityError:
        raise ValidationError({"protocol": ALREADY_IN_A_PLAN}) from None
    return plan


def _end_plan(plan: Plan, status: str, actor: Actor, action: str, *, closed_on, reason=""):
    """Inside a transaction, with `plan` locked: the plan ends with `status`, its injury closes
    on `closed_on`, the audit records it."""
    before = phase_state(plan)
    # A pending clinician review has nothing left to decide.
    SignOffRequest.objects.filter(plan=plan, status=SignOffRequest.Status.PENDING).update(
        status=SignOffRequest.Status.WITHDRAWN
    )
    Plan.objects.filter(pk=plan.pk).update(status=status, version=plan.version + 1)
    plan.status, plan.version = status, plan.version + 1
    injury = plan.injury
    if injury.closed_on is None:
        injury.closed_on = closed_on
        injury.save(update_fields=["closed_on"])
    after = {**phase_state(plan), "injury": injury.pk, "closed_on": closed_on.isoformat()}
    if reason:
        after["reason"] = reason
    actor.audit(plan, action, plan, before=before, after=after)


def complete_plan(
    plan: Plan, *, by, expected_version: int | None = None, now: dt.datetime | None = None
) -> Plan:
    """The return to play is done: a plan in its protocol's last phase (entered after the
    clinician's return-to-play approval) completes, and its injury closes today. The athlete
    may then start a new plan for a new injury. Coaches only."""
    now = now or timezone.now()
    actor = Actor(by, require_role(by, plan.athlete, (Role.COACH,), message=ONLY_COACH), now)
    with transaction.atomic():
        plan = locked_active_plan(plan, expected_version)
        if not plan.current_phase.is_last:
            raise ValidationError(
                _(
                    "A plan completes in its last phase, after the return to play. To stop it "
                    "earlier, close the injury."
                )
            )
        _end_plan(
            plan,
            Plan.Status.COMPLETED,
            actor,
            AuditAction.PLAN_COMPLETE,
            closed_on=timezone.localdate(now),
        )
    return plan


def close_injury(injury, *, by, closed_on: dt.date | None = None, now: dt.datetime | None = None):
    """Close an injury on `closed_on` (default today; never in the future, never before it
    occurred). Its plan, if still active, is closed with it (status closed, not completed).
    The athlete's coaches and clinicians may close."""
    now = now or timezone.now()
    closed_on = closed_on or timezone.localdate(now)
    role = require_injury_role(by, injury.athlete)
    if closed_on > timezone.localdate(now):
        raise ValidationError({"closed_on": _("An injury cannot be closed in the future.")})
    if closed_on < injury.occurred_on:
        raise ValidationError({"closed_on": _("An injury closes on or after the day it occurred.")})
    if injury.is_closed:
        raise ValidationError({"closed_on": _("This injury is closed already.")})
    actor = Actor(by, role, now)
    with transaction.atomic():
        plan = Plan.objects.filter(injury=injury, status=Plan.Status.ACTIVE).first()
        if plan is not None:
            plan = locked_active_plan(plan)
            reason = "Injury closed"
            _end_plan(
                plan,
                Plan.Status.CLOSED,
                actor,
                AuditAction.INJURY_CLOSE,
                closed_on=closed_on,
                reason=reason,
            )
            return plan.injury
        injury.closed_on = closed_on
        injury.save(update_fields=["closed_on"])
        record_event(
            actor=by,
            role=role,
            athlete=injury.athlete,
            action=AuditAction.INJURY_CLOSE,
            target=injury,
            after={"injury": injury.pk, "closed_on": closed_on.isoformat()},
            at=now,
        )
    return injury


def copy_protocol(protocol: Protocol, *, team, by, name: str = "") -> Protocol:
    """A team's own editable copy of a protocol (usually a shipped template): the same phases
    and gate criteria, linked to the original by `based_on`. Only the team's coaches may copy."""
    if not teams_for(by, [Role.COACH]).filter(pk=team.pk).exists():
        raise PermissionDenied(_("Only a coach of the team can copy a protocol for it."))
    if protocol.team_id not in (None, team.pk):
        raise ValidationError({"protocol": _("That protocol belongs to another team.")})
    base = (name or f"{protocol.name} ({team.name})").strip()[:110]
    for n in itertools.count(1):
        candidate = base if n == 1 else f"{base} {n}"
        if Protocol.name_taken(team.pk, candidate):
            continue
        try:
            return _copy_as(protocol, team=team, name=candidate, by=by)
        except IntegrityError:
            # A concurrent copy took this name first (the team-and-name constraint): next one.
            if not Protocol.name_taken(team.pk, candidate):
                raise


def _copy_as(protocol: Protocol, *, team, name: str, by) -> Protocol:
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
            response_green_max=protocol.response_green_max,
            response_amber_max=protocol.response_amber_max,
        )
        citations = list(protocol.citations.all())
        new_gates = {}  # the original gate's id → its copy
        for phase in protocol.phases.prefetch_related("gates", "retests"):
            gates = list(phase.gates.all())
            retests = list(phase.retests.all())
            phase.pk, phase.protocol = None, copy
            phase._state.adding = True
            phase.save()
            RetestSchedule.objects.bulk_create(
                RetestSchedule(phase=phase, metric_id=r.metric_id, every_days=r.every_days)
                for r in retests
            )
            for gate in gates:
                original = gate.pk
                gate.pk, gate.phase = None, phase
                gate._state.adding = True
                new_gates[original] = gate
            GateCriterion.objects.bulk_create(gates)
        # The citations come along: each one's gate is the copy of the gate it cited.
        for citation in citations:
            if citation.gate_id and citation.gate_id not in new_gates:
                continue  # cites a gate of another protocol (only the admin could do that)
            citation.pk, citation.protocol = None, copy
            citation._state.adding = True
            if citation.gate_id:
                citation.gate = new_gates[citation.gate_id]
        Citation.objects.bulk_create([c for c in citations if c.protocol_id == copy.pk])
        record_change(
            copy,
            by=by,
            kind=ProtocolChange.Kind.COPY,
            changes=[{"what": f"Copied from “{protocol.name}”", "before": None, "after": None}],
        )
    return copy
