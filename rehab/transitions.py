"""The writes every phase decision ends in: the one place a plan's phase history is written, the
one place a plan changes phase and the one place a sign-off request is opened.

The decisions themselves, with their rules and permissions, are `rehab.services` (assign,
advance, regress) and `rehab.signoff` (request, decide); they lock the plan with
`locked_active_plan` and call `move_phase` or `open_signoff_request` inside their transaction,
as an `Actor`: who decides, in which role, and when. `Actor.audit` records the audit event of
every change to a plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from athletes.audit import record_event
from athletes.evaluation import request_evaluation
from athletes.models import AuditAction

from .audit import phase_state
from .models import Phase, PhaseChange, Plan, SignOffRequest


class PhaseConflict(Exception):
    """The plan changed since the caller looked at it (someone else acted first)."""


@dataclass(frozen=True)
class Actor:
    """Who changes a plan, in the role `athletes.access.require_role` granted them, and the
    moment of the change: what the change's rows and its audit event record."""

    user: object
    role: str
    now: dt.datetime

    def audit(self, plan: Plan, action: str, target, *, before=None, after=None):
        """Record the audit event of this change to `plan` (athletes.audit). Call it inside the
        change's transaction."""
        return record_event(
            actor=self.user,
            role=self.role,
            athlete=plan.athlete,
            action=action,
            target=target,
            before=before,
            after=after,
            at=self.now,
        )


# The audit event a phase move records. A clinician's approval is absent: the decision's own
# event (rehab.signoff) records the move, so the approval stays one event.
MOVE_EVENTS = {
    PhaseChange.Kind.ADVANCE: AuditAction.PHASE_ADVANCE,
    PhaseChange.Kind.OVERRIDE: AuditAction.PHASE_OVERRIDE,
    PhaseChange.Kind.REGRESS: AuditAction.PHASE_REGRESS,
}


def locked_active_plan(plan: Plan, expected_version: int | None = None) -> Plan:
    """The plan re-read under a row lock (call inside a transaction). PhaseConflict when its
    version is no longer `expected_version`; ValidationError when it is no longer active."""
    # Lock the plan row alone: with joins in a FOR UPDATE query, PostgreSQL re-checks the
    # joined rows after waiting and may return nothing once the other change committed.
    Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True).get()
    locked = Plan.objects.select_related("current_phase", "injury", "protocol", "athlete").get(
        pk=plan.pk
    )
    if expected_version is not None and locked.version != expected_version:
        raise PhaseConflict(
            _(
                "This plan was changed by someone else a moment ago. Reload to see its current "
                "phase."
            )
        )
    if locked.status != Plan.Status.ACTIVE:
        raise ValidationError(_("This plan is no longer active."))
    return locked


def _bump_version(plan: Plan, **changes) -> None:
    changed = Plan.objects.filter(pk=plan.pk, version=plan.version).update(
        version=plan.version + 1, **changes
    )
    if changed != 1:  # cannot happen under the row lock; kept so a refactor cannot lose it
        raise PhaseConflict(_("This plan was changed by someone else a moment ago."))
    plan.version += 1
    for name, value in changes.items():
        setattr(plan, name, value)


def record_phase_change(
    plan: Plan,
    to_phase: Phase,
    *,
    kind: str,
    actor: Actor,
    reason: str,
    from_phase: Phase | None = None,
    evidence: dict | None = None,
) -> PhaseChange:
    """The plan's phase history row: who moved it from `from_phase` (none for the start) into
    `to_phase`, when, why and on what evidence."""
    return PhaseChange.objects.create(
        plan=plan,
        from_phase=from_phase,
        to_phase=to_phase,
        kind=kind,
        reason=reason,
        evidence=evidence or {},
        changed_by=actor.user,
        changed_at=actor.now,
    )


def move_phase(
    plan: Plan,
    to_phase: Phase,
    *,
    kind: str,
    actor: Actor,
    reason: str,
    evidence: dict,
    audit_after: dict | None = None,
) -> PhaseChange:
    """Move a plan locked by `locked_active_plan` into `to_phase` as of `actor.now` (its day 1):
    the plan's current phase and version, the PhaseChange row with who, why and the evidence,
    the audit event of the move (MOVE_EVENTS; `audit_after` adds to its "after"), and the
    athlete queued for evaluation."""
    before = phase_state(plan)
    from_phase = plan.current_phase
    _bump_version(plan, current_phase=to_phase, phase_entered_at=actor.now)
    change = record_phase_change(
        plan,
        to_phase,
        kind=kind,
        actor=actor,
        reason=reason,
        from_phase=from_phase,
        evidence=evidence,
    )
    if kind in MOVE_EVENTS:
        after = {**phase_state(plan), **(audit_after or {})}
        actor.audit(plan, MOVE_EVENTS[kind], change, before=before, after=after)
    # The new phase's gates and the flags that follow the phase (rehab.evaluation).
    request_evaluation([plan.athlete_id])
    return change


def open_signoff_request(
    plan: Plan, target: Phase, *, actor: Actor, note: str, evidence: dict
) -> SignOffRequest:
    """Ask a clinician to decide on entering `target` (the return to play when it is the
    protocol's last phase), with the evidence snapshot, for a plan locked by
    `locked_active_plan`. The plan stays in its phase; its version moves on, so forms read
    before the request cannot act on the plan. Records the request's audit event."""
    request = SignOffRequest.objects.create(
        plan=plan,
        kind=SignOffRequest.Kind.RETURN_TO_PLAY
        if target.is_last
        else SignOffRequest.Kind.PHASE_REVIEW,
        target_phase=target,
        requested_by=actor.user,
        requested_at=actor.now,
        note=note,
        evidence=evidence,
    )
    _bump_version(plan)
    actor.audit(
        plan,
        AuditAction.SIGNOFF_REQUEST,
        request,
        before=phase_state(plan),
        after={
            "request": request.pk,
            "kind": request.kind,
            "target_phase": target.order,
            "override": bool(evidence.get("override")),
        },
    )
    return request
