"""Reads for the clinician pages (/clinic/): the queue and one request's decision picture.

Everything is scoped to the teams where the user is a clinician; a fixed number of queries
whatever the number of athletes.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404

from athletes.access import scoped, visible_athletes
from athletes.models import Role
from monitoring.models import Flag, FlagKind

from .evidence_text import describe_report, metric_kinds
from .models import Plan, SignOffRequest

QUEUE_LIMIT = 50

# Most severe first: pain that persists can mean re-injury; a missed check-in means no data.
FLAG_SEVERITY = {
    FlagKind.PAIN_PERSISTING: 0,
    FlagKind.PAIN_RESPONSE: 0,
    FlagKind.METRIC_REGRESSION: 1,
    FlagKind.INTENSITY_ABOVE_PHASE: 1,
    FlagKind.MISSED_CHECKINS: 2,
    FlagKind.RETEST_OVERDUE: 2,
}


def requests_for(user):
    """Sign-off requests of the athletes of the teams where the user is a clinician."""
    return scoped(SignOffRequest.objects.all(), user, via="plan__athlete", roles=[Role.CLINICIAN])


def get_request_for(user, pk) -> SignOffRequest:
    """A sign-off request of an athlete the user treats; 404 otherwise."""
    return get_object_or_404(
        requests_for(user).select_related(
            "plan__athlete__team",
            "plan__current_phase",
            "plan__protocol",
            "plan__injury",
            "target_phase",
            "requested_by",
        ),
        pk=pk,
    )


def _severity():
    return Case(
        *[When(kind=kind, then=Value(rank)) for kind, rank in FLAG_SEVERITY.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def clinic_queue(user) -> dict:
    """Pending phase reviews and return-to-play requests (longest waiting first), unresolved
    flags (most severe, then newest, first), and pain flags that propose a regression."""
    athletes = visible_athletes(user, [Role.CLINICIAN])
    pending = list(
        SignOffRequest.objects.filter(
            plan__athlete__in=athletes, status=SignOffRequest.Status.PENDING
        )
        .select_related("plan__athlete", "plan__current_phase", "target_phase", "requested_by")
        .order_by("requested_at", "pk")[:QUEUE_LIMIT]
    )
    flags = (
        Flag.objects.unresolved()
        .filter(athlete__in=athletes)
        .select_related("athlete", "proposed_regression_to")
        .annotate(severity=_severity())
        .order_by("severity", "-opened_at", "-pk")
    )
    open_flags = list(flags[:QUEUE_LIMIT])
    flagged = {f.athlete_id for f in open_flags}
    for request in pending:
        request.open_flag_count = sum(
            1 for f in open_flags if f.athlete_id == request.plan.athlete_id
        )
        request.has_open_flags = request.plan.athlete_id in flagged
    current = dict(
        Plan.objects.filter(athlete__in=athletes, status=Plan.Status.ACTIVE).values_list(
            "athlete_id", "current_phase__order"
        )
    )
    proposals = [
        f
        for f in open_flags
        if f.proposed_regression_to_id
        and f.athlete_id in current
        and f.proposed_regression_to.order < current[f.athlete_id]
    ]
    for f in proposals:
        f.current_order = current[f.athlete_id]
    recent = list(
        requests_for(user)
        .exclude(status=SignOffRequest.Status.PENDING)
        .select_related("plan__athlete", "target_phase")
        .order_by("-requested_at", "-pk")[:10]
    )
    return {
        "pending": pending,
        "open_flags": open_flags,
        "flag_count": flags.count(),
        "proposals": proposals,
        "recent": recent,
    }


def decision_context(request: SignOffRequest) -> dict:
    """The evidence snapshot as stored on the request, ready for the page; plus what is live
    now: the athlete's unresolved flags (they block approval) and every decision so far."""
    evidence = request.evidence or {}
    # Stored as {"labels": ISO days, "worst", "morning"}: the pain series' shape for the chart.
    trend = evidence.get("pain_trend") or {}
    chart = {
        "days": trend.get("labels", []),
        "worst": trend.get("worst", []),
        "morning": trend.get("morning", []),
    }
    athlete = request.plan.athlete
    live_flags = list(
        Flag.objects.unresolved()
        .filter(athlete=athlete)
        .annotate(severity=_severity())
        .order_by("severity", "-opened_at")
    )
    decisions = list(
        request.decisions.select_related("decided_by", "supersedes").order_by("decided_at", "pk")
    )
    # A later decision always supersedes the one before it: the last one stands.
    current = decisions[-1] if decisions else None
    gates = (evidence.get("gates") or {}).get("gates") or []
    kinds = metric_kinds(
        [g.get("metric") for g in gates] + [m.get("metric") for m in evidence.get("metrics") or []]
    )
    return {
        "req": request,
        "athlete": athlete,
        "plan": request.plan,
        "evidence": evidence,
        # Each gate with its facts as sentences; each metric with its registry entry, so values
        # show at the metric's precision.
        "report": describe_report(evidence.get("gates"), kinds),
        "metric_rows": [
            {**m, "kind": kinds.get(m.get("metric"))} for m in evidence.get("metrics") or []
        ],
        "pain_chart": chart,
        "has_pain_data": any(v is not None for v in chart["worst"]),
        "live_flags": live_flags,
        "decisions": decisions,
        "current_decision": current,
    }
