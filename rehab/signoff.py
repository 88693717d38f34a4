"""Return-to-play and phase-review sign-off (PRODUCT.md §2.7).

- `build_evidence` snapshots what a clinician decides on: every gate of the current phase with
  its facts, a 4-week pain trend, metrics against baseline, unresolved flags and the sessions of
  the last two weeks. It is stored on the request and never recomputed.
- `request_signoff`: a coach asks for the return-to-play decision.
- `decide_signoff`: a clinician of the athlete's team approves or declines. Approval moves the
  plan into the target phase. A decided request takes a new decision only through the explicit
  `supersede=True` path; the earlier decision stays, linked by `supersedes`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from athletes.access import role_for_athlete
from athletes.audit import record_event
from athletes.models import AuditAction, Baseline, Role
from monitoring.selectors import pain_series

from .audit import phase_state
from .gates import evaluate_plan
from .models import Phase, PhaseChange, Plan, SignOffDecision, SignOffRequest

PAIN_TREND_DAYS = 28
SESSION_DAYS = 14
UNRESOLVED = ("open", "acknowledged")


class SignOffConflict(Exception):
    """The state changed under the caller: a request is already pending, or the request was
    decided (or withdrawn) first."""


def build_evidence(plan: Plan, *, now: dt.datetime) -> dict:
    """The evidence snapshot for a sign-off request (JSON, a fixed number of queries)."""
    from monitoring.models import Flag, Measurement, TrainingSession

    athlete = plan.athlete
    today = timezone.localdate(now)
    pain = pain_series(
        athlete, first_day=today - dt.timedelta(days=PAIN_TREND_DAYS - 1), last_day=today
    )
    pain_trend = {
        "labels": [d.isoformat() for d in pain["days"]],
        "worst": pain["worst"],
        "morning": pain["morning"],
    }
    latest = {}
    for m in (
        Measurement.objects.filter(athlete=athlete, measured_at__lte=now)
        .select_related("metric")
        .order_by("measured_at", "id")
    ):
        latest[(m.metric.code, m.side)] = m
    metrics = []
    for b in Baseline.objects.filter(athlete=athlete).select_related("metric"):
        m = latest.get((b.metric.code, b.side))
        metrics.append(
            {
                "metric": b.metric.code,
                "name": b.metric.name,
                "unit": b.metric.unit,
                "side": b.side,
                "baseline": b.value,
                "latest": m.value if m else None,
                "measured_at": m.measured_at.isoformat() if m else None,
                "pct_of_baseline": round(m.value / b.value * 100, 1) if m and b.value else None,
            }
        )
    flags = [
        {
            "id": f.pk,
            "kind": f.kind,
            "label": f.get_kind_display(),
            "status": f.status,
            "summary": f.summary,
            "opened_at": f.opened_at.isoformat(),
        }
        for f in Flag.objects.filter(athlete=athlete, status__in=UNRESOLVED).order_by("-opened_at")
    ]
    sessions = [
        {
            "date": s.date.isoformat(),
            "type": s.get_type_display(),
            "duration_min": s.duration_min,
            "rpe": s.rpe,
            "top_intensity_pct": s.top_intensity_pct,
            "pain_during": s.pain_during,
            "pain_after": s.pain_after,
        }
        for s in TrainingSession.objects.filter(
            athlete=athlete, date__gt=today - dt.timedelta(days=SESSION_DAYS), date__lte=today
        ).order_by("-date", "-id")
    ]
    return {
        "gates": evaluate_plan(plan, now=now),
        "pain_trend": pain_trend,
        "metrics": metrics,
        "open_flags": flags,
        "sessions": sessions,
        "snapshot_at": now.isoformat(),
    }


def _locked_active_plan(plan: Plan) -> Plan:
    Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True).get()
    locked = Plan.objects.select_related("current_phase", "protocol", "athlete", "injury").get(
        pk=plan.pk
    )
    if locked.status != Plan.Status.ACTIVE:
        raise ValidationError("This plan is no longer active.")
    return locked


def request_signoff(plan: Plan, *, by, note: str = "", now: dt.datetime | None = None):
    """A coach asks a clinician for the return-to-play decision. Only from the last phase
    before maintenance, with every gate met (ValidationError otherwise), and one pending
    request per plan (SignOffConflict)."""
    now = now or timezone.now()
    note = (note or "").strip()
    role = role_for_athlete(by, plan.athlete)
    if role != Role.COACH:
        raise PermissionDenied("Only the athlete's coach can request sign-off.")
    with transaction.atomic():
        plan = _locked_active_plan(plan)
        later = list(
            Phase.objects.filter(
                protocol_id=plan.protocol_id, order__gt=plan.current_phase.order
            ).order_by("order")
        )
        if len(later) != 1 or not later[0].needs_clinical_review:
            raise ValidationError(
                "Return-to-play sign-off is requested from the last phase before maintenance."
            )
        if SignOffRequest.objects.filter(plan=plan, status=SignOffRequest.Status.PENDING).exists():
            raise SignOffConflict("A clinician review is already pending for this plan.")
        evidence = build_evidence(plan, now=now)
        if not evidence["gates"]["all_met"]:
            raise ValidationError(
                "Not every gate of this phase is met yet: keep logging, or advance with an "
                "override and a written reason from the athlete's page."
            )
        request = SignOffRequest.objects.create(
            plan=plan,
            kind=SignOffRequest.Kind.RETURN_TO_PLAY,
            target_phase=later[0],
            requested_by=by,
            requested_at=now,
            note=note,
            evidence=evidence,
        )
        # A request changes what the plan's forms may do: stale forms must not act on it.
        Plan.objects.filter(pk=plan.pk).update(version=plan.version + 1)
        record_event(
            actor=by,
            role=role,
            athlete=plan.athlete,
            action=AuditAction.SIGNOFF_REQUEST,
            target=request,
            before=phase_state(plan),
            after={"request": request.pk, "kind": request.kind, "target_phase": later[0].order},
            at=now,
        )
    return request


def decide_signoff(
    request: SignOffRequest,
    *,
    by,
    decision: str,
    rationale: str,
    restrictions: str = "",
    supersede: bool = False,
    now: dt.datetime | None = None,
) -> SignOffDecision:
    """A clinician of the athlete's team approves or declines a request.

    Approval is refused while the athlete has an unresolved flag, and moves the plan into the
    target phase (PhaseChange kind clinical_approval, carrying the request's evidence). A
    decline keeps the phase. The request row is locked: of two clinicians deciding at once, the
    second gets SignOffConflict. A decided request takes a new decision only with
    `supersede=True`; the new one links to the one it supersedes and both stay.

    Raises PermissionDenied, ValidationError keyed by field, or SignOffConflict."""
    from monitoring.models import Flag

    now = now or timezone.now()
    rationale = (rationale or "").strip()
    restrictions = (restrictions or "").strip()
    athlete = request.plan.athlete
    role = role_for_athlete(by, athlete)
    if role != Role.CLINICIAN:
        raise PermissionDenied("Only a clinician of the athlete's team can decide.")
    errors = {}
    if decision not in SignOffDecision.Decision.values:
        errors["decision"] = "Choose approve or decline."
    if not rationale:
        errors["rationale"] = "Give the rationale for the decision."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = SignOffRequest.objects.select_for_update().get(pk=request.pk)
        previous = None
        if current.status == SignOffRequest.Status.WITHDRAWN:
            raise SignOffConflict("This request was withdrawn (the athlete was regressed).")
        if current.status != SignOffRequest.Status.PENDING:
            if not supersede:
                raise SignOffConflict(
                    "This request has already been decided. Record a new decision to supersede it."
                )
            previous = current.decisions.filter(superseded_by__isnull=True).first()
        if (
            decision == SignOffDecision.Decision.APPROVE
            and Flag.objects.filter(athlete=athlete, status__in=UNRESOLVED).exists()
        ):
            raise ValidationError(
                {"decision": "Resolve the open flags before approving: approval is refused."}
            )
        plan = _locked_active_plan(current.plan)
        target = current.target_phase
        before = {**phase_state(plan), "request_status": current.status}
        change = None
        if decision == SignOffDecision.Decision.APPROVE and plan.current_phase.order < target.order:
            if plan.current_phase.order != target.order - 1:
                raise ValidationError(
                    {"decision": f"The plan is no longer in phase {target.order - 1}."}
                )
            from_phase = plan.current_phase
            Plan.objects.filter(pk=plan.pk).update(
                current_phase=target, phase_entered_at=now, version=plan.version + 1
            )
            plan.current_phase, plan.phase_entered_at = target, now
            change = PhaseChange.objects.create(
                plan=plan,
                from_phase=from_phase,
                to_phase=target,
                kind=PhaseChange.Kind.CLINICAL_APPROVAL,
                reason=rationale,
                evidence={**current.evidence, "signoff_request": current.pk},
                changed_by=by,
                changed_at=now,
            )
        made = SignOffDecision.objects.create(
            request=current,
            decision=decision,
            rationale=rationale,
            restrictions=restrictions,
            decided_by=by,
            decided_role=role,
            decided_at=now,
            supersedes=previous,
        )
        status = (
            SignOffRequest.Status.APPROVED
            if decision == SignOffDecision.Decision.APPROVE
            else SignOffRequest.Status.DECLINED
        )
        SignOffRequest.objects.filter(pk=current.pk).update(status=status)
        request.status = status
        record_event(
            actor=by,
            role=role,
            athlete=athlete,
            action=AuditAction.SIGNOFF_APPROVE
            if decision == SignOffDecision.Decision.APPROVE
            else AuditAction.SIGNOFF_DECLINE,
            target=made,
            before=before,
            after={
                **phase_state(plan),
                "request_status": status,
                "decision": made.pk,
                "supersedes": previous.pk if previous else None,
                "phase_change": change.pk if change else None,
                "restrictions": restrictions,
            },
            at=now,
        )
    return made
