"""The monitoring scan: evaluate athletes in active plans, raise and clear flags, notify once.

Steps of `scan_all` (for every athlete in an active plan, or for those the change queue
hands it: rehab.evaluation):
1. Read the flags of the athletes in scope in one statement (monitoring.flags.flag_states):
   per athlete and kind the unresolved flag and the most recent resolved one.
2. Read, set-wise (window functions and aggregates in SQL), exactly the data the rules need:
   per athlete the current pain episode plus the last three reports; per athlete, metric and
   side the latest measurement of the last 28 days with the stats of the ones before it;
   per plan the latest check-in (voided rows left out everywhere).
3. Apply the pure rules of `monitoring.rules` per athlete, each given the time of the latest
   resolution of its kind, so a finding a person already handled is not raised again on the
   same evidence (PRODUCT.md §2.6, "After a flag is resolved"). One athlete failing is logged
   and skipped.
4. Write flags (monitoring.flags.write_flags): one unresolved flag per athlete and kind, under
   a unique constraint, so racing workers never duplicate one.
5. Notify (monitoring.notify.notify_pending): each flag and each e-mail claimed once.

It lives in rehab because the rules' thresholds are the athlete's protocol's.
"""

import datetime as dt
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    RowRange,
    Subquery,
    Sum,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from athletes.models import Baseline
from monitoring import rules
from monitoring.flags import ScanReport, flag_states, write_flags
from monitoring.models import (
    CheckIn,
    FlagKind,
    Measurement,
    MetricKind,
    SprintTrial,
    TrainingSession,
    worst_pain_expression,
)
from monitoring.notify import notify_pending
from monitoring.pain_response import session_responses
from monitoring.sprints import USABLE_QUALITIES, pre_injury_top_speeds

from .models import Phase, Plan, RetestSchedule, monitored_from_expression

logger = logging.getLogger(__name__)

PAIN_LOOKBACK = dt.timedelta(days=21)


def active_plans(athlete_ids=None):
    """Plans in progress, of every athlete or of those given."""
    plans = Plan.objects.active()
    if athlete_ids is not None:
        plans = plans.filter(athlete_id__in=athlete_ids)
    return plans


def plans_to_flag(athlete_ids) -> tuple[dict[int, int], dict[int, int]]:
    """For these athletes' active plans: athlete id → plan id, and athlete id → the phase
    before the current one (the regression a new pain flag proposes, from phase 2 on)."""
    previous = Phase.objects.filter(
        protocol=OuterRef("protocol_id"), order=OuterRef("current_phase__order") - 1
    ).values("pk")[:1]
    rows = active_plans(athlete_ids).annotate(
        previous_phase=Case(
            When(current_phase__order__gte=2, then=Subquery(previous)), default=None
        )
    )
    plans, proposals = {}, {}
    for athlete_id, plan_id, phase_id in rows.values_list("athlete_id", "id", "previous_phase"):
        plans[athlete_id] = plan_id
        if phase_id is not None:
            proposals[athlete_id] = phase_id
    return plans, proposals


# --- 1. set-based reads ------------------------------------------------------------------------


def pain_lookback(athlete_ids=None) -> dt.timedelta:
    """How far back the scan reads reports: 21 days, or longer when a protocol's pain window
    is longer. If every report in the lookback is painful, the episode began at least that
    long ago, which already exceeds the window: the verdict is the same as with the whole
    history, and the evidence then reports the lookback as the episode's (minimum) length."""
    longest = active_plans(athlete_ids).aggregate(h=Max("protocol__pain_persist_hours"))["h"] or 0
    return max(PAIN_LOOKBACK, dt.timedelta(hours=longest) + dt.timedelta(days=7))


def pain_reports(athlete_ids, now) -> dict[int, list[rules.PainReport]]:
    """Per athlete in an active plan: the reports of the current pain episode (every report
    after the last one below the protocol's threshold) plus the last three reports."""
    worst = worst_pain_expression()
    rows = (
        CheckIn.objects.filter(
            athlete__plans__status=Plan.Status.ACTIVE,
            taken_at__lte=now,
            taken_at__gte=now - pain_lookback(athlete_ids),
            **({"athlete_id__in": athlete_ids} if athlete_ids is not None else {}),
        )
        .annotate(
            worst=worst,
            threshold=F("athlete__plans__protocol__pain_threshold"),
        )
        .annotate(
            newest_first=Window(
                RowNumber(), partition_by=[F("athlete_id")], order_by=[F("taken_at").desc()]
            ),
            calm_at=Window(
                Max(Case(When(worst__lt=F("threshold"), then=F("taken_at")))),
                partition_by=[F("athlete_id")],
            ),
        )
        .filter(Q(newest_first__lte=3) | Q(calm_at__isnull=True) | Q(taken_at__gt=F("calm_at")))
        .order_by()
        .values_list("athlete_id", "id", "taken_at", "pain_rest", "pain_activity", "pain_morning")
    )
    reports = defaultdict(list)
    for athlete_id, pk, taken_at, rest, activity, morning in rows:
        reports[athlete_id].append(rules.PainReport(taken_at, rest, activity, morning, id=pk))
    return reports


@dataclass(frozen=True)
class LatestMeasurement:
    id: int
    athlete_id: int
    metric_id: int
    side: str
    value: float
    measured_at: dt.datetime
    level: rules.RecentLevel | None


def latest_measurements(athlete_ids, now) -> list[LatestMeasurement]:
    """Per athlete in an active plan, metric and side: the newest measurement of the last
    28 days, with count/min/max/mean/SD of the ones before it in those 28 days."""
    since = now - rules.REGRESSION_WINDOW
    partition = [F("athlete_id"), F("metric_id"), F("side")]
    newest_first = [F("measured_at").desc(), F("id").desc()]
    # Every row after this one in newest-first order: the older measurements.
    older = {
        "partition_by": partition,
        "order_by": newest_first,
        "frame": RowRange(start=1, end=None),
    }
    rows = (
        Measurement.objects.filter(
            athlete__plans__status=Plan.Status.ACTIVE,
            measured_at__gte=since,
            measured_at__lte=now,
            **({"athlete_id__in": athlete_ids} if athlete_ids is not None else {}),
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=partition, order_by=newest_first),
            n=Window(Count("value"), **older),
            low=Window(Min("value"), **older),
            high=Window(Max("value"), **older),
            total=Window(Sum("value"), **older),
            squares=Window(Sum(F("value") * F("value")), **older),
        )
        .filter(rank=1)
        .order_by()
        .values_list(
            "id",
            "athlete_id",
            "metric_id",
            "side",
            "value",
            "measured_at",
            "n",
            "low",
            "high",
            "total",
            "squares",
        )
    )
    directions = dict(MetricKind.objects.values_list("id", "direction"))
    latest = []
    for pk, athlete_id, metric_id, side, value, measured_at, n, low, high, total, squares in rows:
        level = None
        if n:
            mean = total / n
            sd = math.sqrt(max(0.0, (squares - n * mean * mean) / (n - 1))) if n >= 2 else None
            best = high if directions[metric_id] == MetricKind.Direction.HIGHER else low
            level = rules.RecentLevel(count=n, best=best, mean=mean, sd=sd)
        latest.append(LatestMeasurement(pk, athlete_id, metric_id, side, value, measured_at, level))
    return latest


def plan_checkin_recency(athlete_ids, now):
    """Per active plan: athlete, start, the protocol's allowance and the latest check-in in
    force (voided check-ins do not count)."""
    # A join bypasses CheckIn's manager: leave voided check-ins out here.
    return (
        active_plans(athlete_ids)
        .annotate(
            last_checkin_at=Max(
                "athlete__checkins__taken_at",
                filter=Q(
                    athlete__checkins__taken_at__lte=now,
                    athlete__checkins__voided_at__isnull=True,
                ),
            )
        )
        # Silence counts from when the plan was recorded here, for a plan started mid-rehab.
        .annotate(monitored_from=monitored_from_expression())
        .values_list(
            "athlete_id", "monitored_from", "protocol__missed_checkin_days", "last_checkin_at"
        )
    )


@dataclass(frozen=True)
class PhaseSpeeds:
    """An athlete's current phase, its allowed top speed and how fast they ran in it."""

    ceiling_pct: int
    phase: dict
    exposures: list
    baseline: dict | None


def phase_speeds(athlete_ids, now) -> dict[int, PhaseSpeeds]:
    """Per athlete in an active plan who ran above their phase's allowed % of top speed since
    entering it: the usable sprint trials since `phase_entered_at` as % of their pre-injury
    top speed (monitoring.sprints), and the sessions since the day of entry whose typed top
    intensity (% of max) is above it. Four queries whatever the number of athletes."""
    scope = {"athlete_id__in": athlete_ids} if athlete_ids is not None else {}
    plans = {
        athlete_id: (ceiling, {"id": phase_id, "order": order, "name": name})
        for athlete_id, ceiling, phase_id, order, name in active_plans(athlete_ids).values_list(
            "athlete_id",
            "current_phase__max_velocity_pct",
            "current_phase_id",
            "current_phase__order",
            "current_phase__name",
        )
    }
    exposures: dict[int, list[rules.SpeedExposure]] = defaultdict(list)
    trials = list(
        SprintTrial.objects.filter(
            athlete__plans__status=Plan.Status.ACTIVE,
            measured_at__gte=F("athlete__plans__phase_entered_at"),
            measured_at__lte=now,
            quality__in=USABLE_QUALITIES,
            mss__isnull=False,
            **scope,
        )
        .order_by()
        .values_list("id", "athlete_id", "measured_at", "created_at", "mss")
    )
    baselines = pre_injury_top_speeds({t[1] for t in trials}) if trials else {}
    for pk, athlete_id, measured_at, created_at, mss in trials:
        if (baseline := baselines.get(athlete_id)) is not None:
            exposure = rules.SpeedExposure(
                "trial", pk, measured_at, created_at, baseline.percent(mss), round(mss, 2)
            )
            exposures[athlete_id].append(exposure)
    sessions = (
        TrainingSession.objects.filter(
            athlete__plans__status=Plan.Status.ACTIVE,
            date__gte=TruncDate("athlete__plans__phase_entered_at"),
            date__lte=timezone.localdate(now),
            top_intensity_pct__gt=F("athlete__plans__current_phase__max_velocity_pct"),
            **scope,
        )
        .order_by()
        .values_list("id", "athlete_id", "date", "created_at", "top_intensity_pct")
    )
    for pk, athlete_id, day, created_at, pct in sessions:
        at = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        exposures[athlete_id].append(rules.SpeedExposure("session", pk, at, created_at, pct))
    result = {}
    for athlete_id, found in exposures.items():
        ceiling, phase = plans[athlete_id]
        baseline = baselines.get(athlete_id)
        described = (
            {"mss": round(baseline.value, 2), "source": baseline.source} if baseline else None
        )
        result[athlete_id] = PhaseSpeeds(ceiling, phase, found, described)
    return result


def phase_retests(athlete_ids, now) -> dict[int, tuple[dt.datetime, list[rules.Retest]]]:
    """Per athlete in an active plan whose current phase schedules re-tests: when the phase
    was entered, and each scheduled test with the last time it was logged in the phase (three
    queries whatever the number of athletes)."""
    scope = {"athlete_id__in": athlete_ids} if athlete_ids is not None else {}
    plans = list(
        active_plans(athlete_ids)
        .filter(current_phase__retests__isnull=False)
        .values_list("athlete_id", "phase_entered_at", "current_phase_id")
        .distinct()
    )
    if not plans:
        return {}
    schedules = defaultdict(list)
    for retest in RetestSchedule.objects.filter(
        phase_id__in={phase_id for _, _, phase_id in plans}
    ).select_related("metric"):
        schedules[retest.phase_id].append(retest)
    last = {
        (athlete_id, metric_id): at
        for athlete_id, metric_id, at in Measurement.objects.filter(
            athlete__plans__status=Plan.Status.ACTIVE,
            athlete__plans__current_phase__retests__metric=F("metric_id"),
            measured_at__gte=F("athlete__plans__phase_entered_at"),
            measured_at__lte=now,
            **scope,
        )
        .order_by()
        .values("athlete_id", "metric_id")
        .annotate(last=Max("measured_at"))
        .values_list("athlete_id", "metric_id", "last")
    }
    return {
        athlete_id: (
            entered,
            [
                rules.Retest(
                    r.metric.code, r.metric.name, r.every_days, last.get((athlete_id, r.metric_id))
                )
                for r in schedules[phase_id]
            ],
        )
        for athlete_id, entered, phase_id in plans
    }


# How far back the scan judges sessions' 24-hour pain response: a red response older than
# this no longer holds a flag's condition (it clears; a person still resolves it).
PAIN_RESPONSE_LOOKBACK = dt.timedelta(days=14)


def pain_responses(athlete_ids, now) -> dict[int, list]:
    """Per athlete in an active plan: the 24-hour pain response of their sessions of that plan
    in the last PAIN_RESPONSE_LOOKBACK (monitoring.pain_response), as of `now`. Three queries
    whatever the number of athletes."""
    sessions = list(
        TrainingSession.objects.filter(
            plan__status=Plan.Status.ACTIVE,
            date__gte=timezone.localdate(now) - PAIN_RESPONSE_LOOKBACK,
            date__lte=timezone.localdate(now),
            created_at__lte=now,
            pain_during__isnull=False,
            **({"athlete_id__in": athlete_ids} if athlete_ids is not None else {}),
        )
        .order_by()
        .only("id", "athlete_id", "plan_id", "date", "pain_during", "created_at")
    )
    responses = session_responses(sessions)
    by_athlete = defaultdict(list)
    for session in sessions:
        response = responses[session.id]
        if response.pain.arrived_at <= now:  # a next-morning check-in logged after `now`
            by_athlete[session.athlete_id].append(response)
    return by_athlete


# --- 2. rules per athlete ----------------------------------------------------------------------


def evaluate(
    athlete_ids, now, resolved=None
) -> tuple[dict[int, list[rules.Finding]], set[int], list[int]]:
    """Findings per athlete for every athlete in an active plan (or those given). `resolved`
    maps (athlete id, kind) to its latest Resolution; a rule then raises its kind only on
    evidence that arrived after it."""
    resolved = resolved or {}

    def resolved_at(athlete_id, kind):
        resolution = resolved.get((athlete_id, kind))
        return resolution.resolved_at if resolution else None

    plans = {
        athlete_id: (threshold, hours)
        for athlete_id, threshold, hours in active_plans(athlete_ids).values_list(
            "athlete_id", "protocol__pain_threshold", "protocol__pain_persist_hours"
        )
    }
    findings: dict[int, list[rules.Finding]] = defaultdict(list)
    failed: set[int] = set()

    def apply(athlete_id, rule, *args, **kwargs) -> rules.Finding | None:
        """The rule's finding for one athlete. An athlete whose evaluation raises is logged and
        skipped from then on, with what was found for them so far."""
        if athlete_id in failed:
            return None
        try:
            return rule(*args, **kwargs)
        except Exception:
            logger.exception("monitoring: evaluating athlete %s failed; skipped", athlete_id)
            failed.add(athlete_id)
            findings.pop(athlete_id, None)
            return None

    def found(athlete_id, finding) -> None:
        if finding is not None and athlete_id not in failed:
            findings[athlete_id].append(finding)

    for athlete_id, reports in pain_reports(athlete_ids, now).items():
        threshold, hours = plans[athlete_id]
        kind = FlagKind.PAIN_PERSISTING
        finding = apply(
            athlete_id,
            rules.pain_persisting,
            reports,
            now=now,
            threshold=threshold,
            hours=hours,
            resolved_at=resolved_at(athlete_id, kind),
        )
        found(athlete_id, finding)

    metrics = {
        m.pk: rules.MetricInfo(m.code, m.name, m.unit, m.direction, m.swc_pct, m.decimals)
        for m in MetricKind.objects.all()
    }
    # One regression flag per athlete: the largest relative drop is its evidence.
    worst_by_athlete: dict[int, tuple[float, rules.Finding]] = {}
    for latest in latest_measurements(athlete_ids, now):
        resolution = resolved.get((latest.athlete_id, FlagKind.METRIC_REGRESSION))
        finding = apply(
            latest.athlete_id,
            rules.metric_regression,
            metric=metrics[latest.metric_id],
            value=latest.value,
            measured_at=latest.measured_at,
            level=latest.level,
            side=latest.side,
            measurement_id=latest.id,
            resolved_at=resolution.resolved_at if resolution else None,
            resolved_measurement_id=resolution.measurement_id if resolution else None,
        )
        if finding is not None:
            size = finding.evidence.get("drop_pct") or 0
            if size > worst_by_athlete.get(latest.athlete_id, (-1, None))[0]:
                worst_by_athlete[latest.athlete_id] = (size, finding)
    for athlete_id, (_, finding) in worst_by_athlete.items():
        found(athlete_id, finding)
    _attach_baselines(worst_by_athlete)

    for athlete_id, started_at, days, last_checkin_at in plan_checkin_recency(athlete_ids, now):
        finding = apply(
            athlete_id,
            rules.missed_checkins,
            last_checkin_at=last_checkin_at,
            plan_started_at=started_at,
            now=now,
            days=days,
            resolved_at=resolved_at(athlete_id, FlagKind.MISSED_CHECKINS),
        )
        found(athlete_id, finding)
    for athlete_id, speeds in phase_speeds(athlete_ids, now).items():
        finding = apply(
            athlete_id,
            rules.intensity_above_phase,
            speeds.exposures,
            ceiling_pct=speeds.ceiling_pct,
            phase=speeds.phase,
            baseline=speeds.baseline,
            now=now,
            resolved_at=resolved_at(athlete_id, FlagKind.INTENSITY_ABOVE_PHASE),
        )
        found(athlete_id, finding)
    for athlete_id, (entered, retests) in phase_retests(athlete_ids, now).items():
        finding = apply(
            athlete_id,
            rules.retest_overdue,
            retests,
            phase_entered_at=entered,
            now=now,
            resolved_at=resolved_at(athlete_id, FlagKind.RETEST_OVERDUE),
        )
        found(athlete_id, finding)
    for athlete_id, responses in pain_responses(athlete_ids, now).items():
        finding = apply(
            athlete_id,
            rules.red_pain_response,
            [r.pain for r in responses],
            green_max=responses[0].green_max,
            amber_max=responses[0].amber_max,
            resolved_at=resolved_at(athlete_id, FlagKind.PAIN_RESPONSE),
        )
        found(athlete_id, finding)
    return findings, set(plans) - failed, sorted(failed)


def _attach_baselines(worst_by_athlete):
    """Add the pre-injury baseline to regression evidence (one query for all findings)."""
    if not worst_by_athlete:
        return
    wanted = {
        (athlete_id, f.evidence["metric"], f.evidence["side"])
        for athlete_id, (_, f) in worst_by_athlete.items()
    }
    baselines = {
        (a, code, side): value
        for a, code, side, value in Baseline.objects.filter(
            athlete_id__in={a for a, _, _ in wanted}
        ).values_list("athlete_id", "metric__code", "side", "value")
    }
    for athlete_id, (_, finding) in worst_by_athlete.items():
        ev = finding.evidence
        base = baselines.get((athlete_id, ev["metric"], ev["side"]))
        if base is not None:
            ev["baseline"] = base
            worse = base - ev["value"] if ev["direction"] == "higher" else ev["value"] - base
            ev["worse_than_baseline_by"] = round(worse, 4)


# --- the scan ---------------------------------------------------------------------------------


def scan_all(athlete_ids=None, *, now=None) -> ScanReport:
    """Evaluate every athlete in an active plan (or only `athlete_ids`), write flags, notify."""
    started = time.monotonic()
    now = now or timezone.now()
    report = ScanReport()
    states = flag_states(active_plans(athlete_ids).values("athlete_id"))
    findings, evaluated, failed = evaluate(athlete_ids, now, states.resolved)
    report.athletes = len(evaluated) + len(failed)
    report.findings = sum(len(f) for f in findings.values())
    report.failures = len(failed)
    report.failed_athletes = list(failed)
    plans, proposals = plans_to_flag([a for a, found in findings.items() if found])
    write_flags(
        findings, evaluated, states.unresolved, now, report, plans=plans, proposals=proposals
    )
    report.notifications, report.emails = notify_pending(now)
    report.seconds = round(time.monotonic() - started, 3)
    logger.info("monitoring scan: %s", report.as_dict())
    return report
