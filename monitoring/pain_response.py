"""The 24-hour pain response of sessions (issue 19), read set-wise for a page of sessions or
for the scan: the next-morning and morning-before check-ins of every session in one query,
the protocol's thresholds in another. The verdict is `monitoring.rules.pain_response`; "next
morning" and "morning before" are `rules.next_morning` / `rules.reference_morning`, which the
gate engine's soreness criterion uses too."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import CheckIn, TrainingSession

# The words every page shows for a response (the API gives the value).
RESPONSE_LABELS = {
    rules.GREEN: _("Green"),
    rules.AMBER: _("Amber"),
    rules.RED: _("Red"),
    rules.WAITING: _("Waiting for next-morning pain"),
}


@dataclass(frozen=True)
class SessionResponse:
    pain: rules.SessionPain
    green_max: int
    amber_max: int

    @property
    def response(self) -> str | None:
        return self.pain.response(self.green_max, self.amber_max)


def _checkins_by_athlete(sessions) -> dict:
    """athlete id → local date → (check-in id, morning pain, created_at), for the days from
    SORENESS_LOOKBACK_DAYS before each athlete's oldest session to the day after the newest."""
    spans: dict[int, list] = {}
    for s in sessions:
        low, high = spans.get(s.athlete_id, (s.date, s.date))
        spans[s.athlete_id] = (min(low, s.date), max(high, s.date))
    if not spans:
        return {}
    lookback = dt.timedelta(days=rules.SORENESS_LOOKBACK_DAYS)
    day = dt.timedelta(days=1)
    where = Q()
    for athlete_id, (low, high) in spans.items():
        where |= Q(
            athlete_id=athlete_id, local_date__gte=low - lookback, local_date__lte=high + day
        )
    by_athlete: dict[int, dict] = defaultdict(dict)
    rows = (
        CheckIn.objects.filter(where)
        .order_by()
        .values_list("athlete_id", "local_date", "pain_morning", "created_at", named=True)
    )
    for row in rows:
        by_athlete[row.athlete_id][row.local_date] = row
    return by_athlete


def session_responses(sessions) -> dict[int, SessionResponse]:
    """Session id → its 24-hour response, for model instances or rows with id, athlete_id,
    plan_id, date, pain_during and created_at. Two queries whatever the number of sessions;
    a session outside any plan is judged by Silbernagel's defaults."""
    sessions = list(sessions)
    if not sessions:
        return {}
    # The thresholds of each session's plan's protocol, read through the session (rehab is a
    # higher layer than monitoring).
    thresholds = (
        {
            pk: (green, amber)
            for pk, green, amber in TrainingSession.all_objects.filter(
                pk__in=[s.id for s in sessions if s.plan_id], plan__isnull=False
            ).values_list(
                "id", "plan__protocol__response_green_max", "plan__protocol__response_amber_max"
            )
        }
        if any(s.plan_id for s in sessions)
        else {}
    )
    defaults = (rules.DEFAULT_RESPONSE_GREEN_MAX, rules.DEFAULT_RESPONSE_AMBER_MAX)
    checkins = _checkins_by_athlete(sessions)
    result = {}
    for s in sessions:
        by_date = checkins.get(s.athlete_id, {})
        after = rules.next_morning(by_date, s.date)
        before = rules.reference_morning(by_date, s.date)
        arrived = max(s.created_at, after.created_at) if after else s.created_at
        pain = rules.SessionPain(
            session_id=s.id,
            date=s.date,
            pain_during=s.pain_during,
            next_morning_pain=after.pain_morning if after else None,
            reference_morning_pain=before.pain_morning if before else None,
            reference_date=before.local_date if before else None,
            arrived_at=arrived,
        )
        green, amber = thresholds.get(s.id, defaults)
        result[s.id] = SessionResponse(pain, green, amber)
    return result


def annotate_responses(sessions) -> None:
    """Set `pain_response` and `pain_response_label` on each session of a page (two queries)."""
    sessions = list(sessions)
    responses = session_responses(sessions)
    for s in sessions:
        found = responses.get(s.id)
        s.pain_response = found.response if found else None
        s.pain_response_label = RESPONSE_LABELS.get(s.pain_response, "")


def session_response(session) -> str | None:
    """One session's response (a detail page, a created or corrected session)."""
    found = session_responses([session]).get(session.id)
    return found.response if found else None
