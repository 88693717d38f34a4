"""The roster: every athlete of the coach's teams, who needs attention first, in a fixed
number of queries whatever the squad size or the length of the logs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from athletes.access import teams_for, visible_athletes
from athletes.models import STAFF_ROLES, Athlete, EvaluationRequest, Injury
from monitoring import rules
from monitoring.models import CheckIn, Flag, FlagStatus
from monitoring.selectors import flag_summary, open_for, pain_series_for

from ..compliance import CheckinRate, checkin_rates
from ..gate_summary import stored_counts
from ..gates import evaluate_plans
from ..models import Phase, Plan, SignOffRequest

PAIN_TREND_DAYS = 14
# Plans a render judges live when it has no good stored counts for them (none yet for the
# phase, or a minimum-days gate has turned since): those without counts first, then the first
# rows in the order asked for. Usually none or a few: the consumer's sweep stores them within a
# minute. Counts whose athlete waits in the queue (new evidence) are seconds from being stored
# again: the row shows them as "updating", as it does for stale ones beyond this limit.
LIVE_GATES_LIMIT = 10

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
    "recorded_at",
    "phase_entered_at",
    "injury__id",
    "injury__side",
    "injury__muscle_group",
)


@dataclass(frozen=True)
class FlagNote:
    """One unresolved flag as the roster says it: its kind, the one-line summary
    (monitoring.selectors.flag_summary) and how long it has been open."""

    flag: Flag
    kind: str  # "Pain above threshold"
    summary: str  # "pain ≥ 3/10 for 76 h"
    open_for: str  # "open 2 days"


@dataclass
class RosterRow:
    athlete: Athlete
    plan: Plan | None = None
    last_checkin_at: dt.datetime | None = None
    pain_trend: list = field(default_factory=list)  # [(date, worst pain or None)] × 14 days
    open_flags: list = field(default_factory=list)
    flag_notes: list = field(default_factory=list)  # [FlagNote], as open_flags
    gates: dict | None = None  # {"met", "missing", "total", "all_met"} (or a full report)
    gates_stale: bool = False  # no good stored counts at `now` (judged live if within the limit)
    gates_updating: bool = False  # shown counts are the last stored (or none): new ones coming
    pending_review: SignOffRequest | None = None
    # The newest request made since the plan entered its phase (for its next phase), if any.
    latest_review: SignOffRequest | None = None
    next_phase: Phase | None = None  # Plan.next_phase
    day_in_phase: int | None = None  # Plan.day_in_phase at the roster's `now`
    # Days with a check-in of the last RATE_DAYS in the plan (rehab.compliance); None without one.
    checkin_rate: CheckinRate | None = None
    action: str = NOTHING

    @property
    def pain_values(self) -> list:
        return [pain for _, pain in self.pain_trend]

    @property
    def pain_csv(self) -> str:
        """The trend for the sparkline (`data-values`): empty where no pain was logged."""
        return ",".join("" if v is None else str(v) for v in self.pain_values)

    @property
    def pain_words(self) -> str:
        """The trend for a screen reader: a dash where no pain was logged."""
        return ", ".join("–" if v is None else str(v) for v in self.pain_values)

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


def _name_key(row: RosterRow):
    return (row.athlete.last_name.lower(), row.athlete.first_name.lower(), row.athlete.pk)


def _gates_key(row: RosterRow):
    gates = row.gates
    if not gates or not gates.get("total"):
        return None
    return (gates["met"] / gates["total"], gates["met"])


# The columns the roster sorts on (`?sort=`): each row's value, None where it has none (such
# rows come last in either direction). The default is who needs attention first.
ROSTER_SORTS = {
    "name": _name_key,
    "phase": lambda r: r.plan.current_phase.order if r.plan else None,
    "days": lambda r: r.day_in_phase,
    "checkin": lambda r: r.last_checkin_at,
    "flags": lambda r: len(r.open_flags) or None,
    "gates": _gates_key,
}
SORT_DIRECTIONS = ("asc", "desc")


def sort_rows(rows: list[RosterRow], sort: str = "", direction: str = "asc") -> list[RosterRow]:
    """The rows in the order asked for: by a column of ROSTER_SORTS (`direction` "asc" or
    "desc"; ties by name, rows without a value last), or by default who needs attention
    first (the next action's priority, then name). An unknown column is the default."""
    rows = sorted(rows, key=_name_key)
    key = ROSTER_SORTS.get(sort)
    if key is None:
        return sorted(rows, key=lambda r: r.priority)
    valued = [r for r in rows if key(r) is not None]
    empty = [r for r in rows if key(r) is None]
    # Python's sort is stable in both directions: equal values stay in name order.
    valued.sort(key=key, reverse=direction == "desc")
    return valued + empty


def roster(
    user,
    *,
    team_id=None,
    phase=None,
    q: str = "",
    sort: str = "",
    direction: str = "asc",
    now=None,
    teams=None,
) -> list[RosterRow]:
    """Every athlete of the user's staff teams with injury, phase, pain trend, latest check-in,
    unresolved flags (each in one line, with how long it has been open), gates met and the
    next action; who needs attention first unless `sort` names a column (`sort_rows`).

    Filters: team id (one of the user's teams), phase order ("none" for no active plan),
    name search. `teams`: the user's staff teams (`roster_teams`) when the caller has them
    already. A fixed number of queries whatever the number of athletes; the pain trend is
    added by `attach_pain_trends` for the rows actually shown."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    athletes = visible_athletes(user, STAFF_ROLES)
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
        athletes.only("id", "team_id", "first_name", "last_name").annotate(
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
        for p in Phase.objects.filter(protocol_id__in=plan_scope.values("protocol_id"))
        .select_related("protocol")
        .defer("goals", "content", "protocol__description")  # long texts no row shows
    }
    protocol_phases = defaultdict(list)
    for p in phases.values():
        protocol_phases[p.protocol_id].append(p)
    plans = {}
    for plan in plan_scope.select_related("injury").only(*ROSTER_PLAN_FIELDS):
        plan.current_phase = phases[plan.current_phase_id]
        plan.protocol = plan.current_phase.protocol
        plans[plan.athlete_id] = plan
    # Gates met: the counts the change queue's consumer stored (rehab.gate_summary), good
    # unless the athlete's evaluation is waiting in the queue or the calendar moved them.
    summaries = stored_counts(plan_scope.values("pk"), now=now)
    waiting = set(
        EvaluationRequest.objects.filter(athlete_id__in=scope).values_list("athlete_id", flat=True)
    )
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
    # The last 14 days' check-in rate of every plan: one grouped count.
    rates = checkin_rates(plans.values(), today=today, plan_ids=plan_scope.values("pk"))
    flags = defaultdict(list)
    for flag in Flag.objects.unresolved().filter(athlete_id__in=scope).order_by("-opened_at"):
        flags[flag.athlete_id].append(flag)
    # The user's teams are few: one instance each, shared by their athletes' rows.
    teams = {team.pk: team for team in (roster_teams(user) if teams is None else teams)}
    rows = []
    for athlete in athletes:
        athlete.team = teams[athlete.team_id]
        athlete.has_unplanned_injury = athlete.has_unplanned_injury_id is not None
        plan = plans.get(athlete.pk)
        row = RosterRow(
            athlete=athlete,
            plan=plan,
            last_checkin_at=athlete.last_checkin_at,
            open_flags=flags[athlete.pk],
            # From the flags already read: the words come from their evidence, no query.
            flag_notes=[
                FlagNote(
                    flag=f,
                    kind=f.get_kind_display(),
                    summary=flag_summary(f, now=now),
                    open_for=open_for(f, now=now),
                )
                for f in flags[athlete.pk]
            ],
        )
        if plan is not None:
            row.day_in_phase = plan.day_in_phase(today=today)
            row.gates, good = summaries.get(plan.pk, (None, False))
            row.gates_stale = not good
            row.gates_updating = not good or athlete.pk in waiting
            row.pending_review = pending.get(plan.pk)
            row.latest_review = latest.get(plan.pk)
            row.next_phase = plan.next_phase(protocol_phases[plan.protocol_id])
            row.checkin_rate = rates[athlete.pk]
        row.action = _next_action(row, now=now)
        rows.append(row)
    rows = sort_rows(rows, sort, direction)
    if judge_live(rows, now=now):
        rows = sort_rows(rows, sort, direction)
    return rows


def team_checkin_rate(rows: list[RosterRow]) -> CheckinRate | None:
    """The rows' check-in rate together: every athlete-day that counts, of the athletes in a
    plan (the roster's header); None when none is."""
    rates = [row.checkin_rate for row in rows if row.checkin_rate is not None]
    return sum(rates, CheckinRate(0, 0)) if rates else None


def judge_live(rows: list[RosterRow], *, now) -> bool:
    """Judge live the gates of up to LIVE_GATES_LIMIT rows without good stored counts (those
    with none first, then in the rows' order) and set their next action again; True if any was
    judged."""
    stale = [row for row in rows if row.gates_stale]
    stale.sort(key=lambda row: row.gates is not None)  # stable: the rows' order within
    stale = stale[:LIVE_GATES_LIMIT]
    if not stale:
        return False
    reports = evaluate_plans([row.plan for row in stale], now=now)
    for row in stale:
        row.gates = reports[row.plan.pk]
        row.gates_stale = row.gates_updating = False
        row.action = _next_action(row, now=now)
    return True


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
