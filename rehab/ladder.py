"""The velocity ladder (issue 18): an athlete's sprints over their plan as % of their own
pre-injury top speed, against each phase's allowed ceiling (Phase.max_velocity_pct).

One series per calendar day of the plan, like the pain chart: the day's fastest usable trial
(None on days without one), and the ceiling and phase order of the phase the athlete was in
that day (its last phase change by then). Pages draw it (data-chart="ladder"); the API and the
flags use the same share (monitoring.sprints).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from monitoring.models import SprintTrial
from monitoring.sprints import USABLE_QUALITIES, TopSpeedBaseline


def velocity_ladder(
    plan, changes, baseline: TopSpeedBaseline | None, *, now: dt.datetime
) -> dict | None:
    """The ladder of `plan` (None without a plan). `changes` are the plan's phase changes,
    oldest first, with `to_phase` loaded; one query for the trials."""
    if plan is None:
        return None
    first = timezone.localdate(plan.started_at)
    last = timezone.localdate(now)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    steps = [
        (timezone.localdate(c.changed_at), c.to_phase.order, c.to_phase.max_velocity_pct)
        for c in changes
    ]

    def phase_on(day):
        return next(((order, pct) for start, order, pct in reversed(steps) if start <= day), None)

    fastest: dict[dt.date, float] = {}
    trials = 0
    if baseline is not None:
        rows = SprintTrial.objects.filter(
            athlete_id=plan.athlete_id,
            quality__in=USABLE_QUALITIES,
            mss__isnull=False,
            measured_at__date__gte=first,
            measured_at__date__lte=last,
        ).values_list("measured_at", "mss")
        for measured_at, mss in rows:
            day, pct = timezone.localdate(measured_at), baseline.percent(mss)
            trials += 1
            fastest[day] = max(pct, fastest.get(day, pct))
    phases = [phase_on(day) for day in days]
    return {
        "days": [day.isoformat() for day in days],
        "top": [fastest.get(day) for day in days],
        "ceiling": [p[1] if p else None for p in phases],
        "phase": [p[0] if p else None for p in phases],
        "trials": trials,
        "baseline": (
            {"mss": round(baseline.value, 2), "source": baseline.source} if baseline else None
        ),
    }
