"""Reads shared by pages, the API and jobs."""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import rules
from .models import CheckIn, Flag, FlagKind, FlagStatus, RecoveryActivity

# --- the athlete's own pages (/me/) -----------------------------------------------------------


def checkin_on(athlete, day):
    """The athlete's check-in of that calendar day, or None."""
    return CheckIn.objects.filter(athlete=athlete, local_date=day).first()


def pain_series(athlete, *, days: int = 56, now=None) -> dict:
    """Daily pain (rest, activity, next morning) of the last `days` days, oldest first, as
    columns a chart can take: unix seconds at local noon and one list per pain score."""
    now = now or timezone.now()
    since = timezone.localdate(now) - dt.timedelta(days=days - 1)
    rows = (
        CheckIn.objects.filter(athlete=athlete, local_date__gte=since)
        .order_by("local_date")
        .values_list("local_date", "pain_rest", "pain_activity", "pain_morning")
    )
    series = {"x": [], "rest": [], "activity": [], "morning": [], "since": since.isoformat()}
    for day, rest, activity, morning in rows:
        noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        series["x"].append(int(noon.timestamp()))
        series["rest"].append(rest)
        series["activity"].append(activity)
        series["morning"].append(morning)
    return series


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
