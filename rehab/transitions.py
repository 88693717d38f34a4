"""The writes every phase decision ends in: the one place a plan changes phase and the one place
a sign-off request is opened.

The decisions themselves, with their rules and permissions, are `rehab.services` (advance,
regress) and `rehab.signoff` (request, decide); they lock the plan with `locked_active_plan`
and call `move_phase` or `open_signoff_request` inside their transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from athletes.audit import record_event
from athletes.models import AuditAction

from .audit import phase_state
from .models import Phase, PhaseChange, Plan, SignOffRequest


class PhaseConflict(Exception):
    """The plan changed since the caller looked at it (someone else acted first)."""


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
            "This plan was changed by someone else a moment ago. Reload to see its current phase."
        )
    if locked.status != Plan.Status.ACTIVE:
        raise ValidationError("This plan is no longer active.")
    return locked


def _bump_version(plan: Plan, **changes) -> None:
    changed = Plan.objects.filter(pk=plan.pk, version=plan.version).update(
        version=plan.version + 1, **changes
    )
    if changed != 1:  # cannot happen under the row lock; kept so a refactor cannot lose it
        raise PhaseConflict("This plan was changed by someone else a moment ago.")
    plan.version += 1
    for name, value in changes.items():
        setattr(plan, name, value)


def move_phase(
    plan: Plan,
    to_phase: Phase,
    *,
    kind: str,
    by,
    role: str,
    reason: str,
    evidence: dict,
    now: dt.datetime,
    audit_after: dict | None = None,
) -> PhaseChange:
    """Move a plan locked by `locked_active_plan` into `to_phase` as of `now` (its day 1): the
    plan's current phase and version, the PhaseChange row with who, why and the evidence, and
    the audit event of the move (MOVE_EVENTS; `audit_after` adds to its "after")."""
    before = phase_state(plan)
    from_phase = plan.current_phase
    _bump_version(plan, current_phase=to_phase, phase_entered_at=now)
    change = PhaseChange.objects.create(
        plan=plan,
        from_phase=from_phase,
        to_phase=to_phase,
        kind=kind,
        reason=reason,
        evidence=evidence,
        changed_by=by,
        changed_at=now,
    )
    if kind in MOVE_EVENTS:
        record_event(
            actor=by,
            role=role,
            athlete=plan.athlete,
            action=MOVE_EVENTS[kind],
            target=change,
            before=before,
            after={**phase_state(plan), **(audit_after or {})},
            at=now,
        )
    return change


def open_signoff_request(
    plan: Plan, target: Phase, *, by, role: str, note: str, evidence: dict, now: dt.datetime
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
        requested_by=by,
        requested_at=now,
        note=note,
        evidence=evidence,
    )
    _bump_version(plan)
    record_event(
        actor=by,
        role=role,
        athlete=plan.athlete,
        action=AuditAction.SIGNOFF_REQUEST,
        target=request,
        before=phase_state(plan),
        after={
            "request": request.pk,
            "kind": request.kind,
            "target_phase": target.order,
            "override": bool(evidence.get("override")),
        },
        at=now,
    )
    return request
