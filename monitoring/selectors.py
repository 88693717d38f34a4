"""Reads shared by pages, the API and jobs."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import rules
from .models import CheckIn, Flag, FlagKind, FlagStatus, RecoveryActivity, worst_pain_expression

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
        return f"{hours} hours (about {round(hours / 24)} days)"
    return f"{hours} hours"


def _rising_values(reports) -> str:
    """The "0 → 2 → 3" of the last three reports in a flag's evidence: the worst of rest /
    activity / morning of each; "" when a report carries no score."""
    worst = [rules.evidence_worst_pain(r) for r in reports[-3:] if isinstance(r, dict)]
    if len(worst) != 3 or None in worst:
        return ""
    return " → ".join(str(w) for w in worst)


def athlete_flag_messages(athlete, *, now=None) -> list[str]:
    """The athlete's unresolved flags in plain words for the athlete. Reports what the data
    shows and who has been told; never a diagnosis (PRODUCT.md §2.8). Evidence lacking a
    value (an older flag, a missing key) leaves the number out rather than printing None."""
    now = now or timezone.now()
    messages = []
    for flag in Flag.objects.unresolved().filter(athlete=athlete):
        evidence = flag.evidence or {}
        told = (
            "your coach and clinician have seen it"
            if flag.status == FlagStatus.ACKNOWLEDGED
            else "your coach and clinician have been told"
        )
        if flag.kind == FlagKind.PAIN_PERSISTING:
            threshold = evidence.get("threshold")
            if threshold is None:
                threshold = rules.DEFAULT_PAIN_THRESHOLD
            if evidence.get("rule") == "rising":
                values = _rising_values(evidence.get("reports") or [])
                text = "Your pain has gone up in your last three check-ins"
                if values:
                    text += f" ({values} out of 10)"
            else:
                hours = evidence.get("hours") or 0
                first = parse_datetime(evidence.get("first_painful_at") or "")
                if first and flag.condition_cleared_at is None:
                    hours = max(hours, (now - first).total_seconds() / 3600)
                verb = "was" if flag.condition_cleared_at else "has stayed"
                text = f"Your pain {verb} at {threshold} or above"
                if hours:
                    text += f" for {_hours_text(hours)}"
        elif flag.kind == FlagKind.MISSED_CHECKINS:
            days = evidence.get("days_without_checkin")
            text = f"No check-in for {days} days" if days else "Check-ins have stopped"
        else:
            name = evidence.get("metric_name") or "test"
            text = f"Your latest {name} result was worse than your recent level"
        messages.append(f"{text} — {told}.")
    return messages
