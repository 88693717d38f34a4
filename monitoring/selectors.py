"""Reads shared by pages, the API and jobs."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from athletes.access import own_notifications
from core.numbers import localized_number

from . import rules
from .models import (
    UNRESOLVED_FLAG_STATUSES,
    CheckIn,
    Flag,
    FlagKind,
    FlagStatus,
    Notification,
    NotificationPreference,
    RecoveryActivity,
    language_or_default,
    worst_pain_expression,
)

# A pain series' columns after `days`, and the check-in field each is read from.
PAIN_COLUMNS = {
    "rest": "pain_rest",
    "activity": "pain_activity",
    "morning": "pain_morning",
    "worst": "worst",  # annotated with worst_pain_expression()
}
NO_CHECKIN = dict.fromkeys(PAIN_COLUMNS)

# --- pain by day: every pain chart, the roster's trend, a sign-off's evidence ------------------


def pain_series_for(athlete_ids, *, first_day: dt.date, last_day: dt.date | None = None) -> dict:
    """Pain by calendar day, per athlete: the one reading every pain chart, the roster's trend
    and a sign-off's evidence take. For each of `athlete_ids`, oldest first, the columns
    `days` (dates), `rest`, `activity`, `morning` and `worst` (`CheckIn.worst_pain`).

    With `last_day`, every day from `first_day` to `last_day` is a row, None where the athlete
    has no check-in; without it, the days with a check-in from `first_day` on. One query."""
    checkins = CheckIn.objects.filter(athlete_id__in=athlete_ids, local_date__gte=first_day)
    if last_day is not None:
        checkins = checkins.filter(local_date__lte=last_day)
    by_day = defaultdict(dict)
    for row in checkins.annotate(worst=worst_pain_expression()).values(
        "athlete_id", "local_date", *PAIN_COLUMNS.values()
    ):
        by_day[row["athlete_id"]][row["local_date"]] = {
            column: row[field] for column, field in PAIN_COLUMNS.items()
        }
    span = None
    if last_day is not None:
        span = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    series = {}
    for athlete_id in athlete_ids:
        pains = by_day[athlete_id]
        days = span if span is not None else sorted(pains)
        rows = [pains.get(day, NO_CHECKIN) for day in days]
        series[athlete_id] = {"days": days} | {
            column: [row[column] for row in rows] for column in PAIN_COLUMNS
        }
    return series


def pain_series(athlete, *, days: int = 56, first_day=None, last_day=None, now=None) -> dict:
    """`pain_series_for` of one athlete; by default the days with a check-in of the last
    `days` days."""
    if first_day is None:
        first_day = timezone.localdate(now or timezone.now()) - dt.timedelta(days=days - 1)
    return pain_series_for([athlete.pk], first_day=first_day, last_day=last_day)[athlete.pk]


# --- the athlete's own pages (/me/) -----------------------------------------------------------

WEEK = 7
STREAK_MAX = 1000  # days read back at most: a streak longer than that reads as 1000


@dataclass(frozen=True)
class PainWeeks:
    """The worst pain (`CheckIn.worst_pain`) of the last 7 local days (today included) and of
    the 7 days before, None for a week without a check-in."""

    this_week: int | None
    last_week: int | None


def pain_weeks(athlete, *, now=None) -> PainWeeks:
    """This week's worst pain against last week's, from the pain series (one query)."""
    today = timezone.localdate(now or timezone.now())
    series = pain_series(athlete, first_day=today - dt.timedelta(days=2 * WEEK - 1), last_day=today)
    worst = series["worst"]
    return PainWeeks(
        this_week=rules.worst_pain(*worst[WEEK:]), last_week=rules.worst_pain(*worst[:WEEK])
    )


def checkin_streak(athlete, *, now=None) -> int:
    """Consecutive local days with a check-in in force, up to today: counted back from today,
    or from yesterday while today has none yet (the day is not over); 0 when neither has one.
    One query."""
    today = timezone.localdate(now or timezone.now())
    days = CheckIn.objects.filter(athlete=athlete, local_date__lte=today).order_by("-local_date")
    streak, expected = 0, None
    for day in days.values_list("local_date", flat=True)[:STREAK_MAX]:
        if expected is None:
            if day < today - dt.timedelta(days=1):
                return 0
            expected = day
        if day != expected:
            break
        streak += 1
        expected = day - dt.timedelta(days=1)
    return streak


def checkin_on(athlete, day):
    """The athlete's check-in of that calendar day, or None."""
    return CheckIn.objects.filter(athlete=athlete, local_date=day).first()


def recovery_on(athlete, day):
    return RecoveryActivity.objects.filter(athlete=athlete, performed_on=day).order_by(
        "-created_at"
    )


def _hours_text(hours: float) -> str:
    hours = int(hours)
    if hours >= 72:
        days = round(hours / 24)
        return ngettext(
            "%(hours)s hours (about %(days)s day)", "%(hours)s hours (about %(days)s days)", days
        ) % {"hours": hours, "days": days}
    return ngettext("%(hours)s hour", "%(hours)s hours", hours) % {"hours": hours}


def _rising_values(reports) -> str:
    """The "0 → 2 → 3" of the last three reports in a flag's evidence: the worst of rest /
    activity / morning of each; "" when a report carries no score."""
    worst = [rules.evidence_worst_pain(r) for r in reports[-3:] if isinstance(r, dict)]
    if len(worst) != 3 or None in worst:
        return ""
    return " → ".join(str(w) for w in worst)


def _evidence(flag) -> dict:
    return flag.evidence if isinstance(flag.evidence, dict) else {}


def _moment(value):
    """An ISO time from a flag's evidence, or None when it holds none (or not one)."""
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _pain_hours(flag, now) -> float:
    """How long the pain of a persisting-pain flag has lasted: counted on to `now` from the
    episode's first painful report while the condition holds, as it stood when it cleared
    otherwise; 0 when the evidence has neither."""
    evidence = _evidence(flag)
    hours = evidence.get("hours")
    hours = hours if isinstance(hours, int | float) else 0
    first = _moment(evidence.get("first_painful_at"))
    if first and flag.condition_cleared_at is None:
        hours = max(hours, (now - first).total_seconds() / 3600)
    return hours


def _silent_days(flag, now) -> int | None:
    """Days without a check-in of a missed-check-ins flag, counted on to `now` while the
    condition holds (from the later of the last check-in and the plan's start)."""
    evidence = _evidence(flag)
    days = evidence.get("days_without_checkin")
    days = days if isinstance(days, int) else None
    if flag.condition_cleared_at is None:
        since = [_moment(evidence.get(key)) for key in ("last_checkin_at", "plan_started_at")]
        since = [s for s in since if s is not None]
        if since:
            days = max(days or 0, (now - max(since)).days)
    return days


def _percent(value: float) -> str:
    """A percentage at the precision people read: "8", "2.5", "12"."""
    text = f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"
    return localized_number(float(text.removesuffix(".0")))


# The measured side in a flag's line ("30 m split (left)").
SIDE_WORDS = {
    "left": pgettext_lazy("measured side", "left"),
    "right": pgettext_lazy("measured side", "right"),
}


def _regression_text(direction, unit_kind: str, words: dict) -> str:
    """A regression in words, by the direction of the metric and its unit: "slower" for a
    sprint time, "higher" for another lower-is-better value, "lower" for a higher-is-better
    one. Whole sentences, so each language words them its own way."""
    if (direction, unit_kind) == ("lower", "s"):
        return _("%(name)s %(pct)s %% slower than the 28-day best") % words
    if direction == "lower":
        return _("%(name)s %(pct)s %% higher than the 28-day best") % words
    if direction == "higher":
        return _("%(name)s %(pct)s %% lower than the 28-day best") % words
    return _("%(name)s %(pct)s %% worse than the 28-day best") % words


def _pain_threshold(evidence: dict):
    """The pain limit a pain flag was raised against (older flags did not store it)."""
    threshold = evidence.get("threshold")
    return rules.DEFAULT_PAIN_THRESHOLD if threshold is None else threshold


def flag_summary(flag, *, now=None) -> str:
    """A flag in one line for staff, from its kind and evidence: "pain ≥ 3/10 for 76 h",
    "30 m split 8 % slower than the 28-day best", "no check-in for 4 days". The one wording
    the roster, the notifications page and the e-mails use. Counts that grow with time
    (hours of pain, silent days) run on to `now` while the condition holds. Evidence lacking
    a value leaves the number out rather than printing None."""
    now = now or timezone.now()
    evidence = _evidence(flag)
    if flag.kind == FlagKind.PAIN_PERSISTING:
        threshold = _pain_threshold(evidence)
        if evidence.get("rule") == "rising":
            values = _rising_values(evidence.get("reports") or [])
            if values:
                return _("pain rising: %(values)s/10") % {"values": values}
            return _("pain rising across three reports")
        hours = _pain_hours(flag, now)
        if hours:
            return _("pain ≥ %(threshold)s/10 for %(hours)s h") % {
                "threshold": threshold,
                "hours": f"{hours:.0f}",
            }
        return _("pain ≥ %(threshold)s/10") % {"threshold": threshold}
    if flag.kind == FlagKind.MISSED_CHECKINS:
        days = _silent_days(flag, now)
        if not days:
            return _("check-ins have stopped")
        if evidence.get("last_checkin_at") is None and "plan_started_at" in evidence:
            return ngettext(
                "no check-in since the plan started %(days)s day ago",
                "no check-in since the plan started %(days)s days ago",
                days,
            ) % {"days": days}
        return ngettext("no check-in for %(days)s day", "no check-in for %(days)s days", days) % {
            "days": days
        }
    if flag.kind == FlagKind.METRIC_REGRESSION:
        name = evidence.get("metric_name") or _("a test")
        side = evidence.get("side")
        if side:
            name = _("%(test)s (%(side)s)") % {"test": name, "side": SIDE_WORDS.get(side, side)}
        direction = evidence.get("direction")
        unit_kind = "s" if evidence.get("unit") == "s" else ""
        pct = evidence.get("drop_pct")
        if isinstance(pct, int | float):
            return _regression_text(direction, unit_kind, {"name": name, "pct": _percent(pct)})
        return _("%(name)s worse than the 28-day best") % {"name": name}
    if flag.kind == FlagKind.INTENSITY_ABOVE_PHASE:
        return _intensity_text(evidence) or flag.summary or flag.get_kind_display()
    if flag.kind == FlagKind.RETEST_OVERDUE:
        name, every = evidence.get("metric_name"), evidence.get("every_days")
        if name and isinstance(every, int):
            return ngettext(
                "%(test)s re-test overdue (due every %(days)s day)",
                "%(test)s re-test overdue (due every %(days)s days)",
                every,
            ) % {"test": name, "days": every}
        return _("a scheduled re-test is overdue")
    if flag.kind == FlagKind.PAIN_RESPONSE:
        during, morning = evidence.get("pain_during"), evidence.get("next_morning_pain")
        if isinstance(during, int) and isinstance(morning, int):
            return _(
                "red 24-hour pain response: %(during)s/10 during, %(morning)s/10 next morning"
            ) % {
                "during": during,
                "morning": morning,
            }
        return flag.summary or flag.get_kind_display()
    return flag.summary or flag.get_kind_display()


def _share_above(pct: float, ceiling: float) -> str:
    """A share above a ceiling, with one decimal where whole numbers would not show it above
    (80.4 against 80 reads "80.4", 93.2 reads "93")."""
    if round(pct) > ceiling:
        return _percent(pct)
    return localized_number(round(pct, 1))


def _intensity_text(evidence: dict) -> str:
    """A flag of kind intensity_above_phase in one line for staff ("" without its numbers):
    "sprint at 93 % of pre-injury top speed; phase 2 allows 80 %"."""
    pct, ceiling = evidence.get("percent"), evidence.get("ceiling_pct")
    order = (evidence.get("phase") or {}).get("order")
    if not isinstance(pct, int | float) or not isinstance(ceiling, int | float):
        return ""
    words = {"pct": _share_above(pct, ceiling), "ceiling": _percent(ceiling), "order": order}
    if evidence.get("source") == "session":
        return _("session at %(pct)s %% of max; phase %(order)s allows %(ceiling)s %%") % words
    return (
        _("sprint at %(pct)s %% of pre-injury top speed; phase %(order)s allows %(ceiling)s %%")
        % words
    )


def open_for(flag, *, now=None) -> str:
    """How long a flag has been open, in the largest whole unit: "open 5 h", "open 2 days"."""
    now = now or timezone.now()
    seconds = max(0, (now - flag.opened_at).total_seconds())
    if seconds < 3600:
        return _("open under an hour")
    if seconds < 2 * 86400:
        return _("open %(hours)s h") % {"hours": int(seconds // 3600)}
    return _("open %(days)s days") % {"days": int(seconds // 86400)}


def athlete_flag_messages(athlete, *, now=None, statuses=UNRESOLVED_FLAG_STATUSES) -> list[str]:
    """The athlete's unresolved flags (or those in `statuses`: the check-in feedback names the
    open ones) in plain words for the athlete. Reports what the data shows and who has been
    told; never a diagnosis (PRODUCT.md §2.8). Evidence lacking a value (an older flag, a
    missing key) leaves the number out rather than printing None."""
    now = now or timezone.now()
    messages = []
    for flag in Flag.objects.filter(athlete=athlete, status__in=statuses):
        evidence = flag.evidence or {}
        if flag.kind == FlagKind.PAIN_PERSISTING:
            threshold = _pain_threshold(evidence)
            if evidence.get("rule") == "rising":
                values = _rising_values(evidence.get("reports") or [])
                if values:
                    text = _(
                        "Your pain has gone up in your last three check-ins (%(values)s out of 10)"
                    ) % {"values": values}
                else:
                    text = _("Your pain has gone up in your last three check-ins")
            else:
                hours = _pain_hours(flag, now)
                words = {"threshold": threshold}
                if hours:
                    words["duration"] = _hours_text(hours)
                if flag.condition_cleared_at and hours:
                    text = _("Your pain was at %(threshold)s or above for %(duration)s") % words
                elif flag.condition_cleared_at:
                    text = _("Your pain was at %(threshold)s or above") % words
                elif hours:
                    text = (
                        _("Your pain has stayed at %(threshold)s or above for %(duration)s") % words
                    )
                else:
                    text = _("Your pain has stayed at %(threshold)s or above") % words
        elif flag.kind == FlagKind.MISSED_CHECKINS:
            days = evidence.get("days_without_checkin")
            if days:
                text = ngettext(
                    "No check-in for %(days)s day", "No check-in for %(days)s days", days
                ) % {"days": days}
            else:
                text = _("Check-ins have stopped")
        elif flag.kind == FlagKind.RETEST_OVERDUE:
            name = evidence.get("metric_name") or _("test")
            name = name[:1].lower() + name[1:]  # mid-sentence: "your knee-flexor strength"
            text = _("Your %(test)s re-test is due") % {"test": name}
        elif flag.kind == FlagKind.INTENSITY_ABOVE_PHASE:
            pct, ceiling = evidence.get("percent"), evidence.get("ceiling_pct")
            if isinstance(pct, int | float) and isinstance(ceiling, int | float):
                text = _(
                    "You ran at %(pct)s %% of your top speed; this phase goes up to %(ceiling)s %%"
                ) % {"pct": _share_above(pct, ceiling), "ceiling": _percent(ceiling)}
            else:
                text = _("You ran faster than this phase goes up to")
        elif flag.kind == FlagKind.PAIN_RESPONSE:
            during, morning = evidence.get("pain_during"), evidence.get("next_morning_pain")
            if isinstance(during, int) and isinstance(morning, int):
                text = _(
                    "Your pain after a session was more than this protocol allows "
                    "(%(during)s out of 10 during it, %(morning)s out of 10 the next morning)"
                ) % {"during": during, "morning": morning}
            else:
                text = _("Your pain after a session was more than this protocol allows")
        else:
            name = evidence.get("metric_name") or _("test")
            text = _("Your latest %(test)s result was worse than your recent level") % {
                "test": name
            }
        if flag.status == FlagStatus.ACKNOWLEDGED:
            message = _("%(what)s — your coach and clinician have seen it.")
        else:
            message = _("%(what)s — your coach and clinician have been told.")
        messages.append(message % {"what": text})
    return messages


# --- staff notifications -----------------------------------------------------------------------


def notifications_for(user):
    """The user's own notifications (athletes.access.own_notifications), newest first, with
    their flag and athlete."""
    return (
        own_notifications(user, Notification.objects.all())
        .select_related("flag__athlete")
        .order_by("-created_at", "-pk")
    )


def notification_for(user, pk) -> Notification:
    """One of the user's own notifications; 404 for anyone else's, or none."""
    return get_object_or_404(notifications_for(user), pk=pk)


def unread_notification_count(user) -> int:
    """The bell's number: one count query."""
    return own_notifications(user, Notification.objects.filter(read_at=None)).count()


def language_of(user) -> str:
    """The language of what is sent to `user` (NotificationPreference.message_language):
    their choice when the site offers it, else settings.LANGUAGE_CODE. One query."""
    language = (
        NotificationPreference.objects.filter(user=user).values_list("language", flat=True).first()
    )
    return language_or_default(language)


def notification_preference(user) -> NotificationPreference:
    """The user's preferences, or the defaults (unsaved) when they have chosen none."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )
