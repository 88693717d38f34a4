"""The monitoring rules: pure functions over an athlete's data, `now` passed in.

They know nothing about the database; `rehab.scan` fetches the data set-wise and
calls them, so the page, the API and the job share one definition of each rule.

After a flag is resolved (PRODUCT.md §2.6) a named person has handled that finding: each
rule takes `resolved_at`, the time the athlete's most recent flag of its kind was resolved,
and raises the same kind again only on evidence that arrived after it. Without `resolved_at`
a rule behaves (and words its evidence) exactly as before.
"""

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

DEFAULT_PAIN_THRESHOLD = 3
DEFAULT_PAIN_HOURS = 48
DEFAULT_MISSED_DAYS = 3
REGRESSION_WINDOW = dt.timedelta(days=28)
MIN_POINTS_FOR_SD = 5
SD_FACTOR = 0.2


@dataclass(frozen=True)
class Finding:
    """A rule's verdict that something needs a person's attention."""

    kind: str
    summary: str
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PainReport:
    taken_at: dt.datetime
    rest: int
    activity: int
    morning: int
    id: int | None = None

    @property
    def worst(self) -> int:
        return worst_pain(self.rest, self.activity, self.morning)

    def as_evidence(self) -> dict:
        return {
            "id": self.id,
            "taken_at": self.taken_at.isoformat(),
            "rest": self.rest,
            "activity": self.activity,
            "morning": self.morning,
        }


def worst_pain(*scores: int | None) -> int | None:
    """The worst pain of a report: the highest of rest / during / next-morning (PRODUCT.md
    §2.6). Missing scores are left out; None when there is none."""
    known = [s for s in scores if s is not None]
    return max(known) if known else None


def evidence_worst_pain(report: dict) -> int | None:
    """`worst_pain` of a report as a flag's evidence stores it (see `PainReport.as_evidence`)."""
    return worst_pain(report.get("rest"), report.get("activity"), report.get("morning"))


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def current_pain_episode(reports: Sequence[PainReport], *, threshold: int) -> list[PainReport]:
    """The reports of the current episode: the run of reports with some pain ≥ threshold that
    reaches up to the latest report. A report below threshold ends an episode."""
    ordered = sorted(reports, key=lambda r: r.taken_at)
    episode: list[PainReport] = []
    for report in reversed(ordered):
        if report.worst < threshold:
            break
        episode.append(report)
    return list(reversed(episode))


def pain_persisting(
    reports: Sequence[PainReport],
    *,
    now: dt.datetime,
    threshold: int = DEFAULT_PAIN_THRESHOLD,
    hours: int = DEFAULT_PAIN_HOURS,
    resolved_at: dt.datetime | None = None,
) -> Finding | None:
    """Pain that persists: every report since the first painful report of the current episode
    has some pain (rest, activity or morning) ≥ threshold, and that first report was taken
    more than `hours` before `now`. Also raised when pain rises across the last three reports
    and the latest is at or above threshold.

    Reports are placed by `taken_at` (a back-dated report lands where it was taken), and
    reports taken after `now` are ignored.

    After a resolution (`resolved_at`): an episode that starts after it is judged as above; the
    episode already going at the resolution counts only while it still goes on, with at least
    one report taken after the resolution, and more than `hours` after the resolution (every
    report since it is then at or above threshold, since it is the same episode). Rising pain
    counts only when its newest report was taken after the resolution. The evidence says
    which applied (`counted_from`).
    """
    known = sorted((r for r in reports if r.taken_at <= now), key=lambda r: r.taken_at)
    if not known:
        return None
    episode = current_pain_episode(known, threshold=threshold)
    last_three = known[-3:]
    rising = (
        len(last_three) == 3
        and last_three[0].worst < last_three[1].worst < last_three[2].worst
        and last_three[2].worst >= threshold
        and (resolved_at is None or last_three[2].taken_at > resolved_at)
    )
    window = dt.timedelta(hours=hours)
    # The episode a person already handled when it began before the latest resolution.
    handled = bool(episode) and resolved_at is not None and episode[0].taken_at <= resolved_at
    if not episode:
        persisting = False
    elif handled:
        persisting = episode[-1].taken_at > resolved_at and now - resolved_at > window
    else:
        persisting = now - episode[0].taken_at > window
    if not (persisting or rising):
        return None
    elapsed = _hours(now - episode[0].taken_at) if episode else 0.0
    shown = episode if persisting else last_three
    evidence = {
        "rule": "persisting" if persisting else "rising",
        "threshold": threshold,
        "window_hours": hours,
        "hours": elapsed,
        "first_painful_at": episode[0].taken_at.isoformat() if episode else None,
        "reports": [r.as_evidence() for r in shown[-14:]],
        "report_count": len(shown),
        "rising": rising,
    }
    if resolved_at is not None:
        evidence["resolved_at"] = resolved_at.isoformat()
        evidence["counted_from"] = (
            "newest_report" if not persisting else "resolution" if handled else "episode_start"
        )
    if persisting:
        summary = f"Pain at or above {threshold}/10 for {elapsed:.0f} h ({len(episode)} reports)"
        if handled:
            since = _hours(now - resolved_at)
            evidence["hours_since_resolution"] = since
            summary += f", {since:.0f} h of it since the last pain flag was resolved"
    else:
        values = " → ".join(str(r.worst) for r in last_three)
        summary = f"Pain rising across the last three reports ({values}/10)"
    return Finding("pain_persisting", summary, evidence)


@dataclass(frozen=True)
class MetricInfo:
    code: str
    name: str
    unit: str
    direction: str  # "higher" or "lower" is better
    swc_pct: float
    decimals: int = 2  # as the registry shows the metric's values

    def text(self, value: float) -> str:
        return f"{value:,.{self.decimals}f}"


@dataclass(frozen=True)
class RecentLevel:
    """The athlete's values of one metric (and side) in the 28 days before the new one."""

    count: int
    best: float
    mean: float
    sd: float | None

    @classmethod
    def from_values(cls, values: Sequence[float], direction: str) -> "RecentLevel | None":
        if not values:
            return None
        best = max(values) if direction == "higher" else min(values)
        sd = statistics.stdev(values) if len(values) >= 2 else None
        return cls(count=len(values), best=best, mean=statistics.fmean(values), sd=sd)


def smallest_worthwhile_change(level: RecentLevel, metric: MetricInfo) -> tuple[float, str]:
    """0.2 × the athlete's SD with at least five points, else the metric's default %; never
    less than half a unit of the precision the metric is shown at (a very steady series, such
    as a fitted sprint value, would otherwise call a change nobody can see a regression:
    "worse by 0.00 s")."""
    if level.count >= MIN_POINTS_FOR_SD and level.sd:
        swc, basis = SD_FACTOR * level.sd, f"0.2 × SD of {level.count} points"
    else:
        swc, basis = abs(level.best) * metric.swc_pct / 100, f"{metric.swc_pct:g} % of the best"
    shown = 0.5 * 10.0**-metric.decimals
    if swc < shown:
        return shown, f"the precision shown ({metric.text(2 * shown)} {metric.unit})"
    return swc, basis


def _worse_by(value: float, reference: float, direction: str) -> float:
    """How much worse `value` is than `reference` (positive = worse), in the metric's units."""
    return reference - value if direction == "higher" else value - reference


def metric_regression(
    *,
    metric: MetricInfo,
    value: float,
    measured_at: dt.datetime,
    level: RecentLevel | None,
    baseline: float | None = None,
    side: str = "",
    measurement_id: int | None = None,
    resolved_at: dt.datetime | None = None,
    resolved_measurement_id: int | None = None,
) -> Finding | None:
    """A new measurement worse than the athlete's own recent level: worse than the best of
    the previous 28 days by more than the smallest worthwhile change (direction-aware).

    The mean of those 28 days and the pre-injury baseline are reported alongside. The
    baseline alone does not raise a flag: during rehab an athlete is expected to be below it.

    After a resolution only a measurement taken after `resolved_at` is judged, and never the
    one the resolved flag was about (`resolved_measurement_id`), even if it is later moved.
    """
    if level is None:
        return None
    if measurement_id is not None and measurement_id == resolved_measurement_id:
        return None
    if resolved_at is not None and measured_at <= resolved_at:
        return None
    swc, swc_basis = smallest_worthwhile_change(level, metric)
    drop = _worse_by(value, level.best, metric.direction)
    if drop <= swc:
        return None
    drop_pct = 100 * drop / abs(level.best) if level.best else None
    evidence = {
        "measurement_id": measurement_id,
        "metric": metric.code,
        "metric_name": metric.name,
        "unit": metric.unit,
        "direction": metric.direction,
        "side": side,
        "value": value,
        "measured_at": measured_at.isoformat(),
        "best_28d": level.best,
        "mean_28d": round(level.mean, 4),
        "points_28d": level.count,
        "baseline": baseline,
        "swc": round(swc, 4),
        "swc_basis": swc_basis,
        "drop": round(drop, 4),
        "drop_pct": round(drop_pct, 2) if drop_pct is not None else None,
        "worse_than_mean_by": round(_worse_by(value, level.mean, metric.direction), 4),
        "worse_than_baseline_by": (
            round(_worse_by(value, baseline, metric.direction), 4) if baseline is not None else None
        ),
    }
    if resolved_at is not None:
        evidence["resolved_at"] = resolved_at.isoformat()
    side_text = f" ({side})" if side else ""
    pct = f" ({drop_pct:.1f} %)" if drop_pct is not None else ""
    summary = (
        f"{metric.name}{side_text} {metric.text(value)} {metric.unit}: worse than the 28-day "
        f"best {metric.text(level.best)} by {metric.text(drop)} {metric.unit}{pct}"
    )
    return Finding("metric_regression", summary, evidence)


def missed_checkins(
    *,
    last_checkin_at: dt.datetime | None,
    plan_started_at: dt.datetime,
    now: dt.datetime,
    days: int = DEFAULT_MISSED_DAYS,
    resolved_at: dt.datetime | None = None,
) -> Finding | None:
    """No check-in for `days` days while in an active plan (counted from the plan's start
    when the athlete never checked in during it). After a resolution the gap counts from the
    later of the last check-in, the plan's start and `resolved_at`; the evidence still gives
    the whole silence (`days_without_checkin`) and says where the count began."""
    silent_since = max(filter(None, [last_checkin_at, plan_started_at]))
    since = max(silent_since, resolved_at) if resolved_at is not None else silent_since
    if now - since < dt.timedelta(days=days):
        return None
    silent_days = (now - silent_since).days
    evidence = {
        "last_checkin_at": last_checkin_at.isoformat() if last_checkin_at else None,
        "plan_started_at": plan_started_at.isoformat(),
        "days_without_checkin": silent_days,
        "days_allowed": days,
    }
    if last_checkin_at is None:
        summary = f"No check-in since the plan started {silent_days} days ago"
    else:
        summary = f"No check-in for {silent_days} days"
    if resolved_at is not None:
        evidence["resolved_at"] = resolved_at.isoformat()
        if since == resolved_at:
            evidence["counted_from"] = "resolution"
            evidence["days_since_resolution"] = (now - resolved_at).days
            summary += f" ({(now - resolved_at).days} since the last such flag was resolved)"
        else:
            evidence["counted_from"] = (
                "last_checkin" if silent_since == last_checkin_at else "plan_start"
            )
    return Finding("missed_checkins", summary, evidence)


@dataclass(frozen=True)
class SpeedExposure:
    """How fast the athlete ran once in the current phase, as % of their pre-injury top speed:
    a sprint trial's fitted MSS ("trial"), or the top intensity typed on a session ("session",
    already a % of max). `arrived_at` is when it was logged, which the rule compares with a
    resolution."""

    source: str  # "trial" or "session"
    id: int
    at: dt.datetime  # when it was run (a session: the start of its day)
    arrived_at: dt.datetime
    percent: float
    speed: float | None = None  # m/s, trials only

    def as_evidence(self) -> dict:
        return {
            "source": self.source,
            "id": self.id,
            "at": self.at.isoformat(),
            "percent": self.percent,
            "speed": self.speed,
        }


def intensity_above_phase(
    exposures: Sequence[SpeedExposure],
    *,
    ceiling_pct: float,
    phase: dict,
    now: dt.datetime,
    baseline: dict | None = None,
    resolved_at: dt.datetime | None = None,
) -> Finding | None:
    """Running faster than the current phase allows (issue 18): a trial or session of the phase
    whose top speed, as % of the athlete's pre-injury top speed, is above the phase's allowed
    % (`Phase.max_velocity_pct`). At the ceiling is allowed; the share is compared at the one
    decimal people see. Exposures run after `now` are ignored; after a resolution only those
    logged after it count. The evidence is the fastest one, with every one above the ceiling."""
    considered = [
        e for e in exposures if e.at <= now and (resolved_at is None or e.arrived_at > resolved_at)
    ]
    above = sorted(
        (e for e in considered if round(e.percent, 1) > ceiling_pct),
        key=lambda e: (-e.percent, e.at),
    )
    if not above:
        return None
    top = above[0]
    evidence = {
        "source": top.source,
        "trial_id": top.id if top.source == "trial" else None,
        "session_id": top.id if top.source == "session" else None,
        "at": top.at.isoformat(),
        "speed": top.speed,
        "percent": round(top.percent, 1),
        "ceiling_pct": ceiling_pct,
        "phase": phase,
        "baseline_mss": baseline.get("mss") if baseline else None,
        "baseline_source": baseline.get("source") if baseline else None,
        "above_count": len(above),
        "exposures": [e.as_evidence() for e in above[:10]],
    }
    if resolved_at is not None:
        evidence["resolved_at"] = resolved_at.isoformat()
    where = f"phase {phase.get('order')}"
    if top.source == "trial":
        summary = (
            f"Sprint at {top.percent:.1f} % of pre-injury top speed ({top.speed:.2f} m/s) in "
            f"{where}, which allows {ceiling_pct:g} %"
        )
    else:
        summary = f"Session at {top.percent:g} % of max in {where}, which allows {ceiling_pct:g} %"
    if len(above) > 1:
        summary += f" ({len(above)} above it)"
    return Finding("intensity_above_phase", summary, evidence)


@dataclass(frozen=True)
class Retest:
    """A scheduled test of the current phase: its metric, interval and the last time it was
    logged in the phase (None: not yet)."""

    metric: str
    name: str
    every_days: int
    last_at: dt.datetime | None


def retest_overdue(
    retests: Sequence[Retest],
    *,
    phase_entered_at: dt.datetime,
    now: dt.datetime,
    resolved_at: dt.datetime | None = None,
) -> Finding | None:
    """A scheduled re-test not logged within its interval (issue 19): due `every_days` after
    the later of its last test in the phase and entering the phase; overdue once `now` is past
    that moment (at the moment itself it is still on time). After a resolution the interval
    counts from the resolution too. The evidence lists every overdue test, the most overdue
    first."""
    overdue = []
    for retest in retests:
        since = max(filter(None, [retest.last_at, phase_entered_at]))
        if resolved_at is not None:
            since = max(since, resolved_at)
        due_at = since + dt.timedelta(days=retest.every_days)
        if now > due_at:
            overdue.append((now - due_at, retest, due_at))
    if not overdue:
        return None
    overdue.sort(key=lambda item: item[0], reverse=True)
    late, top, due_at = overdue[0]
    evidence = {
        "metric": top.metric,
        "metric_name": top.name,
        "every_days": top.every_days,
        "last_at": top.last_at.isoformat() if top.last_at else None,
        "due_at": due_at.isoformat(),
        "days_overdue": late.days,
        "phase_entered_at": phase_entered_at.isoformat(),
        "overdue": [
            {
                "metric": r.metric,
                "every_days": r.every_days,
                "last_at": r.last_at.isoformat() if r.last_at else None,
                "due_at": due.isoformat(),
            }
            for _, r, due in overdue
        ],
    }
    if resolved_at is not None:
        evidence["resolved_at"] = resolved_at.isoformat()
    summary = f"{top.name} re-test overdue: due every {top.every_days} days, due {due_at:%Y-%m-%d}"
    if len(overdue) > 1:
        summary += f" ({len(overdue)} tests overdue)"
    return Finding("retest_overdue", summary, evidence)


# --- the 24-hour pain response (issue 19: Silbernagel's pain-monitoring model) ----------------

# How far before a session the "morning before" reference may be looked for (the gate engine's
# no_next_day_soreness criterion and the 24-hour response share it).
SORENESS_LOOKBACK_DAYS = 7
# Silbernagel's defaults: the protocol stores its own (Protocol.response_green_max/_amber_max).
DEFAULT_RESPONSE_GREEN_MAX = 3
DEFAULT_RESPONSE_AMBER_MAX = 5

GREEN, AMBER, RED, WAITING = "green", "amber", "red", "waiting"
PAIN_RESPONSES = (GREEN, AMBER, RED, WAITING)


def next_morning(checkins_by_date: dict, day: dt.date):
    """The check-in whose morning pain is the next-morning pain of a session on `day`: the
    athlete's check-in of the following calendar day (None until it exists)."""
    return checkins_by_date.get(day + dt.timedelta(days=1))


def reference_morning(checkins_by_date: dict, day: dt.date):
    """The morning pain before a session on `day`: the check-in of that day, else the latest
    one in the SORENESS_LOOKBACK_DAYS before it (None when there is none)."""
    for back in range(0, SORENESS_LOOKBACK_DAYS + 1):
        checkin = checkins_by_date.get(day - dt.timedelta(days=back))
        if checkin is not None:
            return checkin
    return None


def pain_response(
    *,
    pain_during: int | None,
    next_morning_pain: int | None,
    reference_morning_pain: int | None,
    green_max: int = DEFAULT_RESPONSE_GREEN_MAX,
    amber_max: int = DEFAULT_RESPONSE_AMBER_MAX,
) -> str | None:
    """A session's 24-hour pain response: the worse of the pain during it and the next
    morning's pain, ≤ green_max green, ≤ amber_max amber, above it red; and a next-morning pain
    higher than the morning before the session is red whatever its value (the model's second
    condition). "waiting" until the next morning's check-in exists; None when the session
    recorded no pain during it (nothing to judge). Without a reference morning the rise is not
    judged: the thresholds alone decide."""
    if pain_during is None:
        return None
    if next_morning_pain is None:
        return WAITING
    worst = max(pain_during, next_morning_pain)
    if worst > amber_max:
        return RED
    if reference_morning_pain is not None and next_morning_pain > reference_morning_pain:
        return RED
    return GREEN if worst <= green_max else AMBER


@dataclass(frozen=True)
class SessionPain:
    """What the 24-hour response of one session looks at, with when its evidence arrived (the
    later of the session's and the next-morning check-in's logging) for the resolution rule."""

    session_id: int
    date: dt.date
    pain_during: int | None
    next_morning_pain: int | None
    reference_morning_pain: int | None
    reference_date: dt.date | None
    arrived_at: dt.datetime

    def response(self, green_max: int, amber_max: int) -> str | None:
        return pain_response(
            pain_during=self.pain_during,
            next_morning_pain=self.next_morning_pain,
            reference_morning_pain=self.reference_morning_pain,
            green_max=green_max,
            amber_max=amber_max,
        )


def red_pain_response(
    sessions: Sequence[SessionPain],
    *,
    green_max: int = DEFAULT_RESPONSE_GREEN_MAX,
    amber_max: int = DEFAULT_RESPONSE_AMBER_MAX,
    resolved_at: dt.datetime | None = None,
) -> Finding | None:
    """A session whose 24-hour pain response is red. The newest such session is the evidence;
    after a resolution only a session whose response became known after it counts (a later
    session, or an older one whose next-morning check-in arrived after it)."""
    red = [
        s
        for s in sessions
        if s.response(green_max, amber_max) == RED
        and (resolved_at is None or s.arrived_at > resolved_at)
    ]
    if not red:
        return None
    newest = max(red, key=lambda s: (s.date, s.session_id))
    evidence = {
        "session_id": newest.session_id,
        "date": newest.date.isoformat(),
        "pain_during": newest.pain_during,
        "next_morning_pain": newest.next_morning_pain,
        "reference_morning_pain": newest.reference_morning_pain,
        "reference_date": newest.reference_date.isoformat() if newest.reference_date else None,
        "thresholds": {"green_max": green_max, "amber_max": amber_max},
        "red_count": len(red),
    }
    if resolved_at is not None:
        evidence["resolved_at"] = resolved_at.isoformat()
    summary = (
        f"Red 24-hour pain response to the session on {newest.date.isoformat()}: pain "
        f"{newest.pain_during}/10 during, {newest.next_morning_pain}/10 next morning"
    )
    if newest.reference_morning_pain is not None:
        summary += f" (morning before {newest.reference_morning_pain}/10)"
    return Finding("pain_response", summary, evidence)
