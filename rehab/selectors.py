"""Reads for the coach workspace: the roster and one athlete's rehab picture.

Both read in a fixed number of queries whatever the squad size or the length of the logs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Max, OuterRef, Q, Subquery, When
from django.utils import timezone

from athletes.access import roles_of, teams_for, visible_athletes
from athletes.models import STAFF_ROLES, Athlete, AuditEvent, Injury
from monitoring import rules
from monitoring.models import UNRESOLVED_FLAG_STATUSES, CheckIn, Flag, FlagStatus
from monitoring.selectors import pain_series, pain_series_for

from .evidence_text import describe_report
from .gates import evaluate_plans
from .models import Phase, Plan, SignOffDecision, SignOffRequest

PAIN_TREND_DAYS = 14
AUDIT_TIMELINE_SIZE = 30  # the newest events; the CSV export has them all

# Next actions, most urgent first (the roster sorts on this).
REVIEW_FLAG = "review flag"
CHASE_CHECKIN = "chase check-in"
DECLINED = "declined by clinician"
READY_FOR_REVIEW = "ready for clinician review"
ADVANCE = "advance"
WAITING_FOR_CLINICIAN = "waiting for clinician review"
COLLECT_EVIDENCE = "collect evidence"
ASSIGN_PROTOCOL = "assign a protocol"
NOTHING = "—"
ACTION_PRIORITY = {
    REVIEW_FLAG: 0,
    CHASE_CHECKIN: 1,
    DECLINED: 2,
    READY_FOR_REVIEW: 3,
    ADVANCE: 4,
    WAITING_FOR_CLINICIAN: 5,
    COLLECT_EVIDENCE: 6,
    ASSIGN_PROTOCOL: 7,
    NOTHING: 8,
}


ROSTER_PLAN_FIELDS = (
    "id",
    "athlete_id",
    "protocol_id",
    "current_phase_id",
    "status",
    "version",
    "started_at",
    "phase_entered_at",
    "injury__id",
    "injury__side",
    "injury__muscle_group",
)


@dataclass
class RosterRow:
    athlete: Athlete
    plan: Plan | None = None
    last_checkin_at: dt.datetime | None = None
    pain_trend: list = field(default_factory=list)  # [(date, worst pain or None)] × 14 days
    open_flags: list = field(default_factory=list)
    gates: dict | None = None
    pending_review: SignOffRequest | None = None
    # The newest request made since the plan entered its phase (for its next phase), if any.
    latest_review: SignOffRequest | None = None
    next_phase: Phase | None = None  # Plan.next_phase
    day_in_phase: int | None = None  # Plan.day_in_phase at the roster's `now`
    action: str = NOTHING

    @property
    def pain_values(self) -> list:
        return [pain for _, pain in self.pain_trend]

    @property
    def unacknowledged_flags(self) -> int:
        return sum(1 for f in self.open_flags if f.status == FlagStatus.OPEN)

    @property
    def priority(self) -> int:
        return ACTION_PRIORITY[self.action]


def _next_action(row: RosterRow, *, now) -> str:
    if row.plan is None:
        return ASSIGN_PROTOCOL if row.athlete.has_unplanned_injury else NOTHING
    if row.unacknowledged_flags:
        return REVIEW_FLAG
    # The missed-check-in rule itself: the gap counts from the later of the last check-in and
    # the plan's start (PRODUCT.md §2.6), so a plan started yesterday is not a chase yet.
    overdue = rules.missed_checkins(
        last_checkin_at=row.last_checkin_at,
        plan_started_at=row.plan.started_at,
        now=now,
        days=row.plan.protocol.missed_checkin_days,
    )
    if overdue is not None:
        return CHASE_CHECKIN
    if row.pending_review is not None:
        return WAITING_FOR_CLINICIAN
    if row.next_phase is None:
        return NOTHING
    # Declined, and nothing asked since: the coach reads the rationale on the athlete page
    # (the gates may all be met: "ready for clinician review" would invite the same request).
    if row.latest_review is not None and row.latest_review.status == SignOffRequest.Status.DECLINED:
        return DECLINED
    if row.gates and row.gates["all_met"]:
        return READY_FOR_REVIEW if row.next_phase.needs_clinical_review else ADVANCE
    return COLLECT_EVIDENCE


def roster(user, *, team_id=None, phase=None, q: str = "", now=None) -> list[RosterRow]:
    """Every athlete of the user's staff teams with injury, phase, pain trend, latest check-in,
    unresolved flags, gates met and the next action; who needs attention first.

    Filters: team id (one of the user's teams), phase order ("none" for no active plan),
    name search. A fixed number of queries whatever the number of athletes; the pain trend is
    added by `attach_pain_trends` for the rows actually shown."""
    now = now or timezone.now()
    athletes = visible_athletes(user, STAFF_ROLES).select_related("team")
    if team_id:
        athletes = athletes.filter(team_id=team_id)
    if phase == "none":
        athletes = athletes.exclude(plans__status=Plan.Status.ACTIVE)
    elif phase is not None:
        athletes = athletes.filter(
            plans__status=Plan.Status.ACTIVE, plans__current_phase__order=phase
        )
    for word in (q or "").split()[:5]:
        athletes = athletes.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    # The filtered athletes as a subquery: the other reads join on it rather than carrying a
    # list of hundreds of ids (which psycopg would have to bind one by one).
    scope = athletes.values("pk")
    athletes = list(
        athletes.only("id", "team_id", "first_name", "last_name", "team__name").annotate(
            last_checkin_at=Subquery(
                CheckIn.objects.filter(athlete=OuterRef("pk"))
                .order_by("-taken_at")
                .values("taken_at")[:1]
            ),
            has_unplanned_injury_id=Subquery(
                Injury.objects.filter(athlete=OuterRef("pk"), plan__isnull=True).values("pk")[:1]
            ),
        )
    )
    plan_scope = Plan.objects.filter(athlete_id__in=scope, status=Plan.Status.ACTIVE)
    # Phases and protocols are few: read once and shared, not joined onto every plan.
    phases = {
        p.pk: p
        for p in Phase.objects.filter(
            protocol_id__in=plan_scope.values("protocol_id")
        ).select_related("protocol")
    }
    protocol_phases = defaultdict(list)
    for p in phases.values():
        protocol_phases[p.protocol_id].append(p)
    plans = {}
    for plan in plan_scope.select_related("injury").only(*ROSTER_PLAN_FIELDS):
        plan.current_phase = phases[plan.current_phase_id]
        plan.protocol = plan.current_phase.protocol
        plans[plan.athlete_id] = plan
    # Gates met, evaluated live by the gate engine for every plan (a fixed number of queries):
    # the roster sorts on them, and the same evidence judges them on every page.
    gate_reports = evaluate_plans(list(plans.values()), now=now, plan_ids=plan_scope.values("pk"))
    # One read for both: the pending request, and the newest one made in the current phase
    # (a decline of an earlier stay in this phase is no longer news after a regression).
    pending, latest = {}, {}
    for r in SignOffRequest.objects.filter(
        Q(status=SignOffRequest.Status.PENDING) | Q(requested_at__gte=F("plan__phase_entered_at")),
        plan_id__in=plan_scope.values("pk"),
    ).order_by("requested_at", "pk"):
        if r.status == SignOffRequest.Status.PENDING:
            pending[r.plan_id] = r
        latest[r.plan_id] = r
    flags = defaultdict(list)
    for flag in Flag.objects.unresolved().filter(athlete_id__in=scope).order_by("-opened_at"):
        flags[flag.athlete_id].append(flag)
    rows = []
    for athlete in athletes:
        athlete.has_unplanned_injury = athlete.has_unplanned_injury_id is not None
        plan = plans.get(athlete.pk)
        row = RosterRow(
            athlete=athlete,
            plan=plan,
            last_checkin_at=athlete.last_checkin_at,
            open_flags=flags[athlete.pk],
        )
        if plan is not None:
            row.day_in_phase = plan.day_in_phase(now)
            row.gates = gate_reports.get(plan.pk)
            row.pending_review = pending.get(plan.pk)
            row.latest_review = latest.get(plan.pk)
            row.next_phase = plan.next_phase(protocol_phases[plan.protocol_id])
        row.action = _next_action(row, now=now)
        rows.append(row)
    rows.sort(
        key=lambda r: (
            r.priority,
            r.athlete.last_name.lower(),
            r.athlete.first_name.lower(),
            r.athlete.pk,
        )
    )
    return rows


def attach_pain_trends(rows: list[RosterRow], *, now=None) -> list[RosterRow]:
    """Fill in the 14-day worst-pain trend of these rows (one query). The roster calls it for
    the page being shown only: the trend is drawn, not sorted on."""
    today = timezone.localdate(now or timezone.now())
    series = pain_series_for(
        [row.athlete.pk for row in rows],
        first_day=today - dt.timedelta(days=PAIN_TREND_DAYS - 1),
        last_day=today,
    )
    for row in rows:
        pain = series[row.athlete.pk]
        row.pain_trend = list(zip(pain["days"], pain["worst"], strict=True))
    return rows


def roster_teams(user):
    return list(teams_for(user, STAFF_ROLES))


def _page(queryset, number, per_page=20):
    from django.core.paginator import Paginator

    return Paginator(queryset, per_page).get_page(number)


def athlete_overview(
    athlete: Athlete, *, sessions_page=1, measurements_page=1, checkins_page=1, now=None
) -> dict:
    """One athlete's rehab picture for the coach: plan, phase history, pain over the whole
    plan with phase boundaries, metrics against baseline and gates, paginated logs and flags.
    A fixed number of queries whatever the number of logs."""
    from athletes.models import Baseline
    from monitoring.models import Measurement, TrainingSession

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

    report = None
    phases = []
    if active is not None:
        from .gates import evaluate_plan

        report = describe_report(evaluate_plan(active, now=now))
        phases = list(active.protocol.phases.all())
    context["report"] = report
    context["day_in_phase"] = active.day_in_phase(now) if active else None
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
    context["sessions"] = _page(
        TrainingSession.all_objects.filter(athlete=athlete)
        .select_related("voided_by")
        .order_by("-date", "-id"),
        sessions_page,
    )
    context["measurements"] = _page(
        Measurement.all_objects.filter(athlete=athlete)
        .select_related("metric", "voided_by")
        .order_by("-measured_at", "-id"),
        measurements_page,
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
    context["unplanned_injuries"] = list(athlete.injuries.filter(plan__isnull=True))
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
    import json

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
