"""One athlete's rehab picture for the coach (plan, phases, pain, metrics, logs, flags), its
audit trail, the athletes a user may see, and the home page's summary; each in a fixed
number of queries whatever the length of the logs."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Case, Count, Max, OuterRef, Q, Subquery, When
from django.utils import timezone

from athletes.access import roles_of, teams_for, visible_athletes
from athletes.models import STAFF_ROLES, Athlete, AuditEvent, Baseline
from monitoring.models import (
    UNRESOLVED_FLAG_STATUSES,
    CheckIn,
    Flag,
    FlagStatus,
    Measurement,
    SprintTrial,
    TrainingSession,
)
from monitoring.pain_response import annotate_responses
from monitoring.selectors import pain_series
from monitoring.sprints import SESSION_TOP_MSS, USABLE_QUALITIES, pre_injury_top_speed

from ..compliance import checkin_strip
from ..evidence_text import describe_report
from ..gates import evaluate_plan
from ..ladder import velocity_ladder
from ..models import Plan, SignOffDecision, SignOffRequest
from ..timelines import timeline_position

AUDIT_TIMELINE_SIZE = 30  # the newest events; the CSV export has them all


def _page(queryset, number, per_page=20):
    return Paginator(queryset, per_page).get_page(number)


def athlete_overview(
    athlete: Athlete, *, sessions_page=1, measurements_page=1, checkins_page=1, now=None
) -> dict:
    """One athlete's rehab picture for the coach: plan, phase history, pain over the whole
    plan with phase boundaries, metrics against baseline and gates, paginated logs and flags.
    A fixed number of queries whatever the number of logs."""
    now = now or timezone.now()
    plan = (
        Plan.objects.filter(athlete=athlete)
        .select_related("current_phase", "protocol", "injury")
        .annotate(is_active=Case(When(status=Plan.Status.ACTIVE, then=1), default=0))
        .order_by("-is_active", "-started_at")
        .first()
    )
    active = plan if plan is not None and plan.status == Plan.Status.ACTIVE else None
    context = {"athlete": athlete, "plan": plan, "active_plan": active, "now": now}

    context["changes"] = (
        list(plan.phase_changes.select_related("from_phase", "to_phase", "changed_by"))
        if plan
        else []
    )
    since = plan.started_at if plan else now - dt.timedelta(days=56)
    # The phase each day of the plan's pain chart was in: the last change made by that day.
    pain = pain_series(athlete, first_day=timezone.localdate(since))
    steps = [(timezone.localdate(c.changed_at), c.to_phase.order) for c in context["changes"]]
    pain["phase"] = [
        next((order for day, order in reversed(steps) if day <= date), None)
        for date in pain["days"]
    ]
    context["pain_chart"] = pain
    # Logged and missed days of the last four weeks in the plan (rehab.compliance), from the
    # pain series' days: it starts at the plan's start, on or before the strip's first day.
    context["checkin_strip"] = (
        checkin_strip(active, now=now, logged_days=pain["days"]) if active is not None else None
    )

    report = None
    phases = []
    if active is not None:
        report = describe_report(evaluate_plan(active, now=now))
        phases = list(active.protocol.phases.all())
    context["report"] = report
    context["day_in_phase"] = active.day_in_phase(now) if active else None
    # The expected time to full training for the plan's injury grade, where one is published.
    context["timeline"] = (
        timeline_position(active.injury, today=timezone.localdate(now)) if active else None
    )
    context["phases"] = phases
    context["next_phase"] = active.next_phase(phases) if active else None
    context["earlier_phases"] = [
        p for p in phases if active and p.order < active.current_phase.order
    ]
    context["pending_review"] = (
        SignOffRequest.objects.filter(plan=active, status=SignOffRequest.Status.PENDING)
        .select_related("target_phase")
        .first()
        if active
        else None
    )

    # Metrics against baseline and the current gates.
    gate_metrics = {}
    for g in (report or {}).get("gates", []):
        if g["metric"]:
            gate_metrics.setdefault(g["metric"], []).append(g)
    baselines = defaultdict(dict)
    for b in Baseline.objects.filter(athlete=athlete).select_related("metric"):
        baselines[b.metric.code][b.side] = round(b.value, b.metric.decimals)
    values = defaultdict(lambda: defaultdict(dict))  # code -> side -> date -> latest value
    metric_info = {}
    for m in (
        Measurement.objects.filter(athlete=athlete, measured_at__gte=since)
        .select_related("metric")
        .order_by("measured_at", "id")
    ):
        metric_info[m.metric.code] = m.metric
        # Rounded to the metric's precision: the chart's tooltips read like the tables.
        values[m.metric.code][m.side][timezone.localdate(m.measured_at)] = round(
            m.value, m.metric.decimals
        )
    charts = []
    for code in sorted(values, key=lambda c: (c not in gate_metrics, c)):
        labels = sorted({d for by_date in values[code].values() for d in by_date})
        lines = []
        for side, by_date in sorted(values[code].items()):
            lines.append(
                {
                    "label": side or "value",
                    "data": [by_date.get(d) for d in labels],
                    "kind": "value",
                }
            )
            base = baselines.get(code, {}).get(side)
            if base is not None:
                lines.append(
                    {
                        "label": f"baseline {side}".strip(),
                        "data": [base] * len(labels),
                        "kind": "baseline",
                    }
                )
        for g in gate_metrics.get(code, []):
            limit = g["facts"].get("limit") if g["kind"] == "vs_baseline" else None
            if g["kind"] == "metric_threshold":
                limit = g["threshold"]
            if limit is not None:
                lines.append(
                    {
                        "label": f"gate: {g['description']}",
                        "data": [round(limit, metric_info[code].decimals)] * len(labels),
                        "kind": "gate",
                    }
                )
        charts.append(
            {
                "code": code,
                "name": metric_info[code].name,
                "unit": metric_info[code].unit,
                "pass_fail": metric_info[code].is_pass_fail,
                "chart": {
                    "days": labels,
                    "lines": lines,
                    "pass_fail": metric_info[code].is_pass_fail,
                },
                "baseline": baselines.get(code, {}),
                "gates": gate_metrics.get(code, []),
            }
        )
    context["metric_charts"] = charts
    context["metrics_without_data"] = [
        g for code, gs in gate_metrics.items() if code not in values for g in gs
    ]

    # The logs as entered, voided entries included (shown as voided, with who and why).
    context["checkins"] = _page(
        CheckIn.all_objects.filter(athlete=athlete)
        .select_related("voided_by")
        .order_by("-local_date", "-id"),
        checkins_page,
    )
    # The athlete's own pre-injury top speed: the trials, the sessions and the ladder read
    # their speeds as a share of it.
    top_speed = pre_injury_top_speed(athlete)
    context["top_speed"] = top_speed
    context["velocity_ladder"] = velocity_ladder(plan, context["changes"], top_speed, now=now)
    context["sessions"] = _page(
        TrainingSession.all_objects.filter(athlete=athlete)
        .select_related("voided_by")
        .annotate(top_mss=SESSION_TOP_MSS)
        .order_by("-date", "-id"),
        sessions_page,
    )
    for session in context["sessions"]:
        session.top_speed_pct = top_speed.percent(session.top_mss) if top_speed else None
    annotate_responses(context["sessions"])
    context["measurements"] = _page(
        Measurement.all_objects.filter(athlete=athlete)
        .select_related("metric", "voided_by")
        .order_by("-measured_at", "-id"),
        measurements_page,
    )
    # The latest sprint trials, each linking to its profile (one query).
    context["sprint_trials"] = list(
        SprintTrial.objects.filter(athlete=athlete).order_by("-measured_at", "-id")[:5]
    )
    for trial in context["sprint_trials"]:
        trial.top_speed_pct = (
            top_speed.percent(trial.mss)
            if top_speed and trial.quality in USABLE_QUALITIES
            else None
        )
    context["flags"] = list(
        Flag.objects.filter(athlete=athlete)
        .select_related("proposed_regression_to", "acknowledged_by", "resolved_by")
        .annotate(resolved=Case(When(status=FlagStatus.RESOLVED, then=1), default=0))
        .order_by("resolved", "-opened_at")[:20]
    )
    context["proposed_flag"] = next(
        (
            f
            for f in context["flags"]
            if f.is_unresolved
            and f.proposed_regression_to_id
            and active
            and f.proposed_regression_to.order < active.current_phase.order
        ),
        None,
    )
    # Every injury over time, newest first, with its plan if it has one (one query).
    injuries = list(athlete.injuries.select_related("plan"))
    for injury in injuries:
        injury.plan_or_none = getattr(injury, "plan", None)
    context["injuries"] = injuries
    context["unplanned_injuries"] = [
        i for i in injuries if i.plan_or_none is None and not i.is_closed
    ]
    context["signoff_decisions"] = (
        list(
            SignOffDecision.objects.filter(request__plan=plan)
            .select_related("decided_by", "request__target_phase")
            .order_by("-decided_at", "-pk")[:5]
        )
        if plan
        else []
    )
    context["audit_events"] = list(
        AuditEvent.objects.filter(athlete=athlete)
        .select_related("actor")
        .order_by("-at", "-pk")[:AUDIT_TIMELINE_SIZE]
    )
    return context


AUDIT_CSV_COLUMNS = [
    "at",
    "action",
    "actor",
    "role",
    "target_type",
    "target_id",
    "before",
    "after",
]


def audit_rows(athlete):
    """Every audit event of one athlete, oldest first, as CSV rows (streamed in chunks)."""
    yield AUDIT_CSV_COLUMNS
    for e in (
        AuditEvent.objects.filter(athlete=athlete)
        .select_related("actor")
        .order_by("at", "pk")
        .iterator(chunk_size=500)
    ):
        yield [
            e.at.isoformat(),
            e.action,
            e.actor.get_username() if e.actor else "",
            e.role,
            e.target_type,
            e.target_id,
            json.dumps(e.before, sort_keys=True),
            json.dumps(e.after, sort_keys=True),
        ]


# --- the roster and the landing page ------------------------------------------------------


def athlete_rows(user, roles=None):
    """The athletes a user may see (through one of `roles`), each with its active plan's phase,
    latest check-in and number of unresolved flags, in a fixed number of queries whatever the
    squad size."""
    active_plan = Plan.objects.filter(athlete=OuterRef("pk"), status=Plan.Status.ACTIVE)
    return (
        visible_athletes(user, roles)
        .select_related("team")
        .annotate(
            # A join bypasses CheckIn's manager: voided check-ins are left out by hand.
            last_checkin_at=Max("checkins__taken_at", filter=Q(checkins__voided_at__isnull=True)),
            unresolved_flags=Count(
                "flags", filter=Q(flags__status__in=UNRESOLVED_FLAG_STATUSES), distinct=True
            ),
            phase_order=Subquery(active_plan.values("current_phase__order")[:1]),
            phase_name=Subquery(active_plan.values("current_phase__name")[:1]),
            muscle_group=Subquery(active_plan.values("injury__muscle_group")[:1]),
        )
        .order_by("team__name", "last_name", "first_name")
    )


def home_summary(user) -> dict:
    roles = roles_of(user)
    context = {"roles": sorted(roles), "teams": list(teams_for(user))}
    if roles & set(STAFF_ROLES):
        context["athletes"] = list(athlete_rows(user, STAFF_ROLES))
    profile = getattr(user, "athlete_profile", None)
    if profile is not None:
        context["me"] = profile
        context["my_plan"] = (
            Plan.objects.filter(athlete=profile, status=Plan.Status.ACTIVE)
            .select_related("current_phase", "protocol", "injury")
            .first()
        )
        context["my_last_checkin"] = profile.checkins.order_by("-taken_at").first()
    return context
