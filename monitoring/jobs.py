"""The monitoring scan: evaluate athletes in active plans, raise and clear flags, notify once.

Steps of `scan_all`:
1. Read the flags of the athletes in scope in one statement: per athlete and kind the
   unresolved flag and the most recent resolved one. One statement, so a resolution committed
   meanwhile is seen either as resolved or not at all, never as "no flag at all".
2. Read, set-wise (window functions and aggregates in SQL), exactly the data the rules need:
   per athlete the current pain episode plus the last three reports; per athlete, metric and
   side the latest measurement of the last 28 days with the stats of the ones before it;
   per plan the latest check-in (voided rows left out everywhere).
3. Apply the pure rules of `monitoring.rules` per athlete, each given the time of the latest
   resolution of its kind, so a finding a person already handled is not raised again on the
   same evidence (PRODUCT.md §2.6, "After a flag is resolved"). One athlete failing is logged
   and skipped.
4. Write flags: a new finding creates a flag under the unique constraint "one unresolved flag
   per athlete and kind", so a second worker racing us gets an IntegrityError, never a
   duplicate. A flag whose condition has cleared is marked so, and stays until a person
   resolves it.
5. Notify: each flag is claimed with a conditional update (notified_at IS NULL) before its
   in-app notifications are written; each e-mail is claimed the same way before it is sent.
   The claim and the notification rows commit together, so a worker killed halfway leaves the
   flag unclaimed and the next run notifies it. An e-mail says who, what and when, and links
   to the athlete's flags at SITE_URL.
"""

import datetime as dt
import logging
import math
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Max, Min, Q, RowRange, Sum, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from athletes.access import staff_of_teams
from athletes.models import Baseline
from rehab.models import Phase, Plan

from . import rules
from .models import (
    UNRESOLVED_FLAG_STATUSES,
    CheckIn,
    EvaluationRequest,
    Flag,
    FlagKind,
    FlagStatus,
    Measurement,
    MetricKind,
    Notification,
    worst_pain_expression,
)

logger = logging.getLogger(__name__)

PAIN_LOOKBACK = dt.timedelta(days=21)


@dataclass
class ScanReport:
    athletes: int = 0
    findings: int = 0
    flags_opened: int = 0
    flags_cleared: int = 0
    notifications: int = 0
    emails: int = 0
    failures: int = 0
    failed_athletes: list = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def active_plans(athlete_ids=None):
    plans = Plan.objects.filter(status=Plan.Status.ACTIVE)
    if athlete_ids is not None:
        plans = plans.filter(athlete_id__in=athlete_ids)
    return plans


# --- 1. the flags in scope ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnresolvedFlag:
    pk: int
    condition_cleared_at: dt.datetime | None


@dataclass(frozen=True)
class Resolution:
    """The most recent resolved flag of one kind for one athlete."""

    resolved_at: dt.datetime
    measurement_id: int | None  # a regression flag's measurement (its evidence)


@dataclass
class FlagStates:
    unresolved: dict = field(default_factory=dict)  # (athlete id, kind) → UnresolvedFlag
    resolved: dict = field(default_factory=dict)  # (athlete id, kind) → Resolution


def flag_states(athlete_ids=None) -> FlagStates:
    """Per athlete in an active plan (or those given) and kind: the unresolved flag and the
    most recent resolved one, in one statement (one snapshot) for the whole scope."""
    newest_resolved_first = Window(
        RowNumber(),
        partition_by=[F("athlete_id"), F("kind")],
        order_by=[F("resolved_at").desc(nulls_last=True), F("id").desc()],
    )
    rows = (
        Flag.objects.filter(
            athlete__plans__status=Plan.Status.ACTIVE,
            **({"athlete_id__in": athlete_ids} if athlete_ids is not None else {}),
        )
        .annotate(rank=newest_resolved_first)
        .filter(Q(status__in=UNRESOLVED_FLAG_STATUSES) | Q(status=FlagStatus.RESOLVED, rank=1))
        .order_by()
        .values_list(
            "id",
            "athlete_id",
            "kind",
            "status",
            "condition_cleared_at",
            "resolved_at",
            "evidence__measurement_id",
        )
    )
    states = FlagStates()
    for pk, athlete_id, kind, status, cleared_at, resolved_at, measurement_id in rows:
        if status == FlagStatus.RESOLVED:
            if not isinstance(measurement_id, int):
                measurement_id = None
            states.resolved[(athlete_id, kind)] = Resolution(resolved_at, measurement_id)
        else:
            states.unresolved[(athlete_id, kind)] = UnresolvedFlag(pk, cleared_at)
    return states


# --- 2. set-based reads ------------------------------------------------------------------------


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
        .values_list("athlete_id", "started_at", "protocol__missed_checkin_days", "last_checkin_at")
    )


# --- 3. rules per athlete ----------------------------------------------------------------------


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

    def guarded(athlete_id, fn):
        if athlete_id in failed:
            return
        try:
            finding = fn()
        except Exception:
            logger.exception("monitoring: evaluating athlete %s failed; skipped", athlete_id)
            failed.add(athlete_id)
            findings.pop(athlete_id, None)
            return
        if finding is not None:
            findings[athlete_id].append(finding)

    for athlete_id, reports in pain_reports(athlete_ids, now).items():
        threshold, hours = plans[athlete_id]
        guarded(
            athlete_id,
            lambda a=athlete_id, r=reports, t=threshold, h=hours: rules.pain_persisting(
                r,
                now=now,
                threshold=t,
                hours=h,
                resolved_at=resolved_at(a, FlagKind.PAIN_PERSISTING),
            ),
        )

    metrics = {
        m.pk: rules.MetricInfo(m.code, m.name, m.unit, m.direction, m.swc_pct, m.decimals)
        for m in MetricKind.objects.all()
    }
    worst_by_athlete: dict[int, tuple[float, rules.Finding]] = {}
    for latest in latest_measurements(athlete_ids, now):
        if latest.athlete_id in failed:
            continue
        resolution = resolved.get((latest.athlete_id, FlagKind.METRIC_REGRESSION))
        try:
            finding = rules.metric_regression(
                metric=metrics[latest.metric_id],
                value=latest.value,
                measured_at=latest.measured_at,
                level=latest.level,
                side=latest.side,
                measurement_id=latest.id,
                resolved_at=resolution.resolved_at if resolution else None,
                resolved_measurement_id=resolution.measurement_id if resolution else None,
            )
        except Exception:
            logger.exception("monitoring: evaluating athlete %s failed; skipped", latest.athlete_id)
            failed.add(latest.athlete_id)
            findings.pop(latest.athlete_id, None)
            continue
        # One regression flag per athlete: keep the largest relative drop as its evidence.
        if finding is not None:
            size = finding.evidence.get("drop_pct") or 0
            if (
                latest.athlete_id not in worst_by_athlete
                or size > worst_by_athlete[latest.athlete_id][0]
            ):
                worst_by_athlete[latest.athlete_id] = (size, finding)
    for athlete_id, (_, finding) in worst_by_athlete.items():
        if athlete_id not in failed:
            findings[athlete_id].append(finding)
    _attach_baselines(worst_by_athlete)

    for athlete_id, started_at, days, last_checkin_at in plan_checkin_recency(athlete_ids, now):
        guarded(
            athlete_id,
            lambda a=athlete_id, s=started_at, d=days, last=last_checkin_at: rules.missed_checkins(
                last_checkin_at=last,
                plan_started_at=s,
                now=now,
                days=d,
                resolved_at=resolved_at(a, FlagKind.MISSED_CHECKINS),
            ),
        )
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


# --- 4. flags ----------------------------------------------------------------------------------


WRITE_CHUNK = 500


def write_flags(findings, evaluated: set[int], unresolved, now, report: ScanReport) -> None:
    """Open, clear and un-clear flags (`unresolved` as read by `flag_states`). Athletes are
    written in chunks, one transaction per chunk and a savepoint per athlete: one athlete
    failing rolls back only its own writes."""
    unresolved = {key: flag for key, flag in unresolved.items() if key[0] in evaluated}
    to_open = [a for a, fs in findings.items() if a in evaluated and fs]
    plans = {}
    if to_open:
        plans = {p.athlete_id: p for p in active_plans(to_open).select_related("current_phase")}
    proposals = _regression_targets(plans.values())
    # Only athletes with something to write; the same order in every worker avoids deadlocks.
    touched = sorted({a for a in to_open} | {a for a, _ in unresolved})
    for start in range(0, len(touched), WRITE_CHUNK):
        with transaction.atomic():
            for athlete_id in touched[start : start + WRITE_CHUNK]:
                try:
                    with transaction.atomic():
                        _write_athlete_flags(
                            athlete_id,
                            findings.get(athlete_id, []),
                            unresolved,
                            plans,
                            proposals,
                            now,
                            report,
                        )
                except Exception:
                    logger.exception(
                        "monitoring: writing flags for athlete %s failed; skipped", athlete_id
                    )
                    report.failures += 1
                    report.failed_athletes.append(athlete_id)


def _write_athlete_flags(athlete_id, athlete_findings, unresolved, plans, proposals, now, report):
    found = {f.kind: f for f in athlete_findings}
    for kind in FlagKind.values:
        flag = unresolved.get((athlete_id, kind))
        finding = found.get(kind)
        if finding and flag is None:
            if _open_flag(athlete_id, finding, plans.get(athlete_id), proposals, now):
                report.flags_opened += 1
        elif finding and flag.condition_cleared_at is not None:
            # The condition came back before anyone resolved the flag (if someone resolved it
            # since we read it, it is theirs now: leave it).
            Flag.objects.filter(pk=flag.pk, status__in=UNRESOLVED_FLAG_STATUSES).update(
                condition_cleared_at=None
            )
        elif not finding and flag is not None and flag.condition_cleared_at is None:
            report.flags_cleared += Flag.objects.filter(
                pk=flag.pk, status__in=UNRESOLVED_FLAG_STATUSES, condition_cleared_at=None
            ).update(condition_cleared_at=now)


def _regression_targets(plans) -> dict[int, int]:
    """plan id → id of the phase before its current one, for plans in phase ≥ 2."""
    wanted = {
        (p.protocol_id, p.current_phase.order - 1): p.pk
        for p in plans
        if p.current_phase.order >= 2
    }
    if not wanted:
        return {}
    phases = Phase.objects.filter(protocol_id__in={protocol for protocol, _ in wanted}).values_list(
        "protocol_id", "order", "id"
    )
    return {
        wanted[(protocol, order)]: pk
        for protocol, order, pk in phases
        if (protocol, order) in wanted
    }


def _open_flag(athlete_id, finding, plan, proposals, now) -> bool:
    """Create the flag; False when another worker created it first (unique constraint)."""
    proposed = None
    if finding.kind == FlagKind.PAIN_PERSISTING and plan is not None:
        proposed = proposals.get(plan.pk)
    try:
        with transaction.atomic():
            Flag.objects.create(
                athlete_id=athlete_id,
                plan=plan,
                kind=finding.kind,
                summary=finding.summary[:200],
                evidence=finding.evidence,
                opened_at=now,
                proposed_regression_to_id=proposed,
            )
        return True
    except IntegrityError:
        return False


# --- 5. notifications -------------------------------------------------------------------------


FLAG_SUBJECT = {
    FlagKind.PAIN_PERSISTING: "Pain above threshold",
    FlagKind.METRIC_REGRESSION: "Metric regression",
    FlagKind.MISSED_CHECKINS: "Missed check-ins",
}


def notify_pending(now=None) -> tuple[int, int]:
    """Notify every flag that has not been notified yet, each exactly once.

    Flags are claimed in one transaction: rows another worker holds are skipped (SKIP LOCKED
    on PostgreSQL), the claim and the in-app notifications commit together. E-mails are
    claimed the same way and sent after that commit; a failed send releases its claim.
    """
    now = now or timezone.now()
    with transaction.atomic():
        flags = list(
            Flag.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(notified_at=None)
            .select_related("athlete")
        )
        Flag.objects.filter(pk__in=[f.pk for f in flags], notified_at=None).update(notified_at=now)
        staff = staff_of_teams({f.athlete.team_id for f in flags})
        created = Notification.objects.bulk_create(
            [
                Notification(recipient_id=user_id, flag=flag, message=_message(flag))
                for flag in flags
                for user_id in staff.get(flag.athlete.team_id, [])
            ],
            ignore_conflicts=True,
        )
    emailed = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at=None)
            .select_related("recipient", "flag__athlete__team")
        )
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    for notification in pending:
        try:
            emailed += _email(notification)
        except Exception:
            logger.exception("monitoring: e-mail for notification %s failed", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
    return len(created), emailed


def _message(flag) -> str:
    return f"{FLAG_SUBJECT[flag.kind]} — {flag.athlete.full_name}: {flag.summary}"[:300]


def flag_page_url(athlete_id) -> str:
    """The athlete's page at its flags section, absolute (e-mails are read outside the app)."""
    return f"{settings.SITE_URL}{reverse('coach:athlete', args=[athlete_id])}#flags"


def _email_body(flag) -> str:
    """Who, what, when it opened, and where to act on it."""
    athlete = flag.athlete
    opened = timezone.localtime(flag.opened_at)
    return (
        f"{FLAG_SUBJECT[flag.kind]} — {athlete.full_name} ({athlete.team.name})\n"
        f"\n"
        f"{flag.summary}\n"
        f"\n"
        f"Flag opened {opened.day} {opened:%b %Y at %H:%M} {opened.tzname()}.\n"
        f"\n"
        f"Review the evidence on {athlete.first_name}'s page, then acknowledge or resolve "
        f"the flag:\n"
        f"{flag_page_url(athlete.pk)}\n"
        f"\n"
        f"You receive this as a coach or clinician of {athlete.team.name} in Sprintback.\n"
    )


def _email(notification) -> int:
    if not notification.recipient.email:
        return 0
    send_mail(
        subject=f"[Sprintback] {notification.message[:120]}",
        message=_email_body(notification.flag),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notification.recipient.email],
    )
    return 1


# --- the job ----------------------------------------------------------------------------------


def scan_all(athlete_ids=None, *, now=None) -> ScanReport:
    """Evaluate every athlete in an active plan (or only `athlete_ids`), write flags, notify."""
    started = time.monotonic()
    now = now or timezone.now()
    report = ScanReport()
    flags = flag_states(athlete_ids)
    findings, evaluated, failed = evaluate(athlete_ids, now, flags.resolved)
    report.athletes = len(evaluated) + len(failed)
    report.findings = sum(len(f) for f in findings.values())
    report.failures = len(failed)
    report.failed_athletes = list(failed)
    write_flags(findings, evaluated, flags.unresolved, now, report)
    report.notifications, report.emails = notify_pending(now)
    report.seconds = round(time.monotonic() - started, 3)
    logger.info("monitoring scan: %s", report.as_dict())
    return report


# --- evaluation of changed athletes ------------------------------------------------------------

# A claim older than this is taken to belong to a worker that died; far longer than a batch.
EVALUATION_LEASE = dt.timedelta(minutes=5)


def evaluate_pending(*, batch: int = 1000, now=None) -> ScanReport:
    """Evaluate every athlete with an EvaluationRequest, and remove the requests it served.

    Steps, per batch of requests, until the queue is empty:
    1. Claim up to `batch` requests that nobody holds (or whose holder's lease ran out) with a
       conditional update; rows another worker is claiming at this moment are skipped.
    2. Evaluate their athletes together: scan_all(athlete_ids=...).
    3. Delete exactly the claimed rows. A request written meanwhile is another row and stays
       for the next run; a worker that dies before this step leaves its claim to expire and
       a later run evaluates those athletes again (evaluating twice changes nothing).
    """
    total = ScanReport()
    started = time.monotonic()
    while True:
        claimed_at = now or timezone.now()
        with transaction.atomic():
            claimed = list(
                EvaluationRequest.objects.select_for_update(skip_locked=True)
                .filter(Q(claimed_until=None) | Q(claimed_until__lt=claimed_at))
                .order_by("pk")
                .values_list("pk", "athlete_id")[:batch]
            )
            ids = [pk for pk, _ in claimed]
            EvaluationRequest.objects.filter(pk__in=ids).update(
                claimed_until=claimed_at + EVALUATION_LEASE
            )
        if not claimed:
            break
        report = scan_all(athlete_ids=sorted({athlete_id for _, athlete_id in claimed}), now=now)
        # A failing athlete is logged by scan_all and not retried here: the full scan runs it.
        EvaluationRequest.objects.filter(pk__in=ids).delete()
        for name, value in report.as_dict().items():
            if name != "seconds":
                setattr(total, name, getattr(total, name) + value)
        if len(claimed) < batch:
            break
    total.seconds = round(time.monotonic() - started, 3)
    return total
