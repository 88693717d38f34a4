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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from athletes.access import require_role
from athletes.models import AuditAction, Baseline, Role
from monitoring.models import Flag, Measurement, TrainingSession
from monitoring.selectors import pain_series

from .audit import phase_state
from .gates import evaluate_plan
from .models import PhaseChange, Plan, SignOffDecision, SignOffRequest
from .transitions import Actor, locked_active_plan, move_phase, open_signoff_request

PAIN_TREND_DAYS = 28
SESSION_DAYS = 14


class SignOffConflict(Exception):
    """The state changed under the caller: a request is already pending, or the request was
    decided (or withdrawn) first."""


def build_evidence(plan: Plan, *, now: dt.datetime) -> dict:
    """The evidence snapshot for a sign-off request (JSON, a fixed number of queries)."""
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
        for f in Flag.objects.unresolved().filter(athlete=athlete).order_by("-opened_at")
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


def request_signoff(plan: Plan, *, by, note: str = "", now: dt.datetime | None = None):
    """A coach asks a clinician for the return-to-play decision. Only from the last phase
    before maintenance, with every gate met (ValidationError otherwise), and one pending
    request per plan (SignOffConflict)."""
    now = now or timezone.now()
    note = (note or "").strip()
    role = require_role(
        by, plan.athlete, [Role.COACH], message=_("Only the athlete's coach can request sign-off.")
    )
    actor = Actor(by, role, now)
    with transaction.atomic():
        plan = locked_active_plan(plan)
        target = plan.next_phase()
        if target is None or not target.is_last or not target.needs_clinical_review:
            raise ValidationError(
                _("Return-to-play sign-off is requested from the last phase before maintenance.")
            )
        if SignOffRequest.objects.filter(plan=plan, status=SignOffRequest.Status.PENDING).exists():
            raise SignOffConflict(_("A clinician review is already pending for this plan."))
        evidence = build_evidence(plan, now=now)
        if not evidence["gates"]["all_met"]:
            raise ValidationError(
                _(
                    "Not every gate of this phase is met yet: keep logging, or advance with an "
                    "override and a written reason from the athlete's page."
                )
            )
        return open_signoff_request(plan, target, actor=actor, note=note, evidence=evidence)


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
    now = now or timezone.now()
    rationale = (rationale or "").strip()
    restrictions = (restrictions or "").strip()
    athlete = request.plan.athlete
    role = require_role(
        by,
        athlete,
        [Role.CLINICIAN],
        message=_("Only a clinician of the athlete's team can decide."),
    )
    actor = Actor(by, role, now)
    errors = {}
    if decision not in SignOffDecision.Decision.values:
        errors["decision"] = _("Choose approve or decline.")
    if not rationale:
        errors["rationale"] = _("Give the rationale for the decision.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = SignOffRequest.objects.select_for_update().get(pk=request.pk)
        previous = None
        if current.status == SignOffRequest.Status.WITHDRAWN:
            raise SignOffConflict(_("This request was withdrawn (the athlete was regressed)."))
        if current.status != SignOffRequest.Status.PENDING:
            if not supersede:
                raise SignOffConflict(
                    _(
                        "This request has already been decided. Record a new decision to "
                        "supersede it."
                    )
                )
            previous = current.decisions.filter(superseded_by__isnull=True).first()
        if (
            decision == SignOffDecision.Decision.APPROVE
            and Flag.objects.unresolved().filter(athlete=athlete).exists()
        ):
            raise ValidationError(
                {"decision": _("Resolve the open flags before approving: approval is refused.")}
            )
        plan = locked_active_plan(current.plan)
        target = current.target_phase
        before = {**phase_state(plan), "request_status": current.status}
        change = None
        if decision == SignOffDecision.Decision.APPROVE and plan.current_phase.order < target.order:
            if plan.next_phase() != target:
                raise ValidationError(
                    {
                        "decision": _("The plan is no longer in the phase before phase %(number)s.")
                        % {"number": target.order}
                    }
                )
            # The decision's own event below records the move (one event per action).
            change = move_phase(
                plan,
                target,
                kind=PhaseChange.Kind.CLINICAL_APPROVAL,
                actor=actor,
                reason=rationale,
                evidence={**current.evidence, "signoff_request": current.pk},
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
        actor.audit(
            plan,
            AuditAction.SIGNOFF_APPROVE
            if decision == SignOffDecision.Decision.APPROVE
            else AuditAction.SIGNOFF_DECLINE,
            made,
            before=before,
            after={
                **phase_state(plan),
                "request_status": status,
                "decision": made.pk,
                "supersedes": previous.pk if previous else None,
                "phase_change": change.pk if change else None,
                "restrictions": restrictions,
            },
        )
    return made
