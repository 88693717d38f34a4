"""Check-in compliance for staff: how many of the last days an athlete in rehab logged.

The rule, in one place for the roster's rates (`checkin_rates`, one grouped count for the
whole squad) and the athlete page's calendar strip (`checkin_strip`):
- a day is a local calendar day (`CheckIn.local_date`), logged when it holds a check-in in
  force (voided ones leave it);
- days before the plan's `monitored_from` (its start, or when a mid-rehab start was recorded
  here) are neither logged nor missed, as the missed-check-in rule counts silence from it
  (monitoring.rules.missed_checkins via rehab.scan);
- today counts once it is logged: until then the day is still open, not missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from monitoring.models import CheckIn

from .evidence_text import day_text
from .models import Plan, monitored_from_expression

RATE_DAYS = 14  # the roster's rate
STRIP_DAYS = 28  # the athlete page's calendar strip


@dataclass(frozen=True)
class CheckinRate:
    """Days logged of the days that count (see the module's rule)."""

    logged: int
    days: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.logged / self.days) if self.days else None

    @property
    def text(self) -> str:
        """ "12 of 14 days"; "no days yet" when none counts (a plan started today)."""
        if not self.days:
            return _("no days yet")
        return ngettext("%(logged)s of %(days)s day", "%(logged)s of %(days)s days", self.days) % {
            "logged": self.logged,
            "days": self.days,
        }

    def __add__(self, other: CheckinRate) -> CheckinRate:
        return CheckinRate(self.logged + other.logged, self.days + other.days)


def _day_begins(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def first_counted_day(plan: Plan, *, first: dt.date, first_begins: dt.datetime) -> dt.date:
    """The first day that counts for the plan in a window from `first` (which begins at the
    moment `first_begins`): the window's first day, or the plan's own first day within it."""
    # Most plans began before the window: comparing moments says so without converting each
    # start to a local day (a time-zone lookup each, and the roster asks 450 plans).
    if plan.monitored_from < first_begins:
        return first
    return max(first, timezone.localdate(plan.monitored_from))


def rate_of(
    plan: Plan, *, logged: int, logged_today: bool, today: dt.date, first: dt.date, first_begins
) -> CheckinRate:
    """The rate from the days logged since `first_counted_day` (today among them or not)."""
    start = first_counted_day(plan, first=first, first_begins=first_begins)
    counted = max((today - start).days + (1 if logged_today else 0), 0)
    return CheckinRate(logged=logged, days=counted)


def checkin_rates(
    plans, *, today: dt.date, days: int = RATE_DAYS, plan_ids=None
) -> dict[int, CheckinRate]:
    """The check-in rate over the last `days` of each of these active plans, by athlete id:
    one grouped count whatever the number of plans. `plans`: Plan instances (their
    `started_at` and `recorded_at` read); `plan_ids`: their ids as a subquery when the caller
    has one (the roster: hundreds of ids are not bound one by one)."""
    plans = {plan.pk: plan for plan in plans}
    if not plans:
        return {}
    # The plan's own first day, in SQL: a check-in before the plan started is not counted.
    start_day = TruncDate(
        monitored_from_expression("athlete__plans__"), tzinfo=timezone.get_current_timezone()
    )
    # One filter() call: the plan's id and its start read the same join (one row per check-in,
    # an athlete has one active plan).
    counts = {
        row["athlete_id"]: row
        for row in CheckIn.objects.filter(
            Q(local_date__gte=start_day),
            athlete__plans__id__in=list(plans) if plan_ids is None else plan_ids,
            local_date__range=(today - dt.timedelta(days=days - 1), today),
        )
        .values("athlete_id")
        .annotate(logged=Count("pk"), today=Count("pk", filter=Q(local_date=today)))
        .order_by()
    }
    first = today - dt.timedelta(days=days - 1)
    first_begins = _day_begins(first)
    rates = {}
    for plan in plans.values():
        row = counts.get(plan.athlete_id) or {"logged": 0, "today": 0}
        rates[plan.athlete_id] = rate_of(
            plan,
            logged=row["logged"],
            logged_today=bool(row["today"]),
            today=today,
            first=first,
            first_begins=first_begins,
        )
    return rates


@dataclass(frozen=True)
class StripDay:
    day: dt.date
    state: str  # one of STRIP_STATES
    mark: str  # what the day shows besides its colour
    label: str  # the day and its state in words, for a screen reader and a tooltip


LOGGED, MISSED, OPEN, BEFORE_PLAN = "logged", "missed", "open", "before"
STRIP_STATES = {
    LOGGED: ("✓", gettext_lazy("%(day)s: check-in logged")),
    MISSED: ("✗", gettext_lazy("%(day)s: no check-in")),
    OPEN: ("…", gettext_lazy("%(day)s (today): not logged yet")),
    BEFORE_PLAN: ("", gettext_lazy("%(day)s: before the plan started")),
}


@dataclass(frozen=True)
class CheckinStrip:
    days: list[StripDay]
    rate: CheckinRate  # over the strip's last RATE_DAYS days, as the roster shows it


def _strip_day(day: dt.date, state: str) -> StripDay:
    mark, label = STRIP_STATES[state]
    return StripDay(day=day, state=state, mark=mark, label=label % {"day": day_text(day)})


def checkin_strip(
    plan: Plan, *, now=None, days: int = STRIP_DAYS, logged_days=None
) -> CheckinStrip:
    """The last `days` local days of the plan's athlete, oldest first, each logged, missed,
    still open (today, not logged yet) or before the plan started. `logged_days`: the days
    with a check-in in force, when the caller has read them from the plan's start on (the
    athlete page's pain series); otherwise one query."""
    today = timezone.localdate(now or timezone.now())
    first = today - dt.timedelta(days=days - 1)
    start = timezone.localdate(plan.monitored_from)
    if logged_days is None:
        logged_days = CheckIn.objects.filter(
            athlete_id=plan.athlete_id, local_date__gte=max(first, start), local_date__lte=today
        ).values_list("local_date", flat=True)
    logged = set(logged_days)
    strip = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        if day < start:
            state = BEFORE_PLAN
        elif day in logged:
            state = LOGGED
        else:
            state = OPEN if day == today else MISSED
        strip.append(_strip_day(day, state))
    recent = [d for d in strip[-RATE_DAYS:] if d.state in (LOGGED, MISSED)]
    rate = CheckinRate(logged=sum(1 for d in recent if d.state == LOGGED), days=len(recent))
    return CheckinStrip(days=strip, rate=rate)
