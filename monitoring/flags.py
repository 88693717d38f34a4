"""Flags: what the scan found, written once per athlete and kind, whoever runs it.

`flag_states` reads the flags of the athletes in scope in one statement: per athlete and kind
the unresolved flag and the most recent resolved one, so a resolution committed meanwhile is
seen either as resolved or not at all, never as "no flag at all". `write_flags` opens a flag
for a new finding under the unique constraint "one unresolved flag per athlete and kind" (a
second worker racing us gets an IntegrityError, never a duplicate) and marks a flag whose
condition has cleared; it stays until a person resolves it (monitoring.services). The scan
that produces the findings is rehab.scan; notifying is monitoring.notify.
"""

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from .models import UNRESOLVED_FLAG_STATUSES, Flag, FlagKind, FlagStatus

logger = logging.getLogger(__name__)


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


# --- the flags in scope -------------------------------------------------------------------------


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


def flag_states(athletes) -> FlagStates:
    """Per athlete of `athletes` (ids, or a query selecting them) and kind: the unresolved
    flag and the most recent resolved one, in one statement (one snapshot) for the scope."""
    newest_resolved_first = Window(
        RowNumber(),
        partition_by=[F("athlete_id"), F("kind")],
        order_by=[F("resolved_at").desc(nulls_last=True), F("id").desc()],
    )
    rows = (
        Flag.objects.filter(athlete_id__in=athletes)
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


# --- writing flags-----------------------------------------------------------------------------


WRITE_CHUNK = 500


def write_flags(
    findings, evaluated: set[int], unresolved, now, report: ScanReport, *, plans, proposals
) -> None:
    """Open, clear and un-clear flags (`unresolved` as read by `flag_states`). `plans` maps
    an athlete id to their active plan's id, `proposals` to the phase a new pain flag proposes
    regressing to (the one before the current, from phase 2 on). Athletes are written in
    chunks, one transaction per chunk and a savepoint per athlete: one athlete failing rolls
    back only its own writes."""
    unresolved = {key: flag for key, flag in unresolved.items() if key[0] in evaluated}
    to_open = [a for a, fs in findings.items() if a in evaluated and fs]
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
                            plans.get(athlete_id),
                            proposals.get(athlete_id),
                            now,
                            report,
                        )
                except Exception:
                    logger.exception(
                        "monitoring: writing flags for athlete %s failed; skipped", athlete_id
                    )
                    report.failures += 1
                    report.failed_athletes.append(athlete_id)


def _write_athlete_flags(athlete_id, athlete_findings, unresolved, plan_id, proposed, now, report):
    found = {f.kind: f for f in athlete_findings}
    for kind in FlagKind.values:
        flag = unresolved.get((athlete_id, kind))
        finding = found.get(kind)
        if finding and flag is None:
            if _open_flag(athlete_id, finding, plan_id, proposed, now):
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


def _open_flag(athlete_id, finding, plan_id, proposed, now) -> bool:
    """Create the flag; False when another worker created it first (unique constraint). Only a
    pain flag proposes a regression."""
    if finding.kind != FlagKind.PAIN_PERSISTING:
        proposed = None
    try:
        with transaction.atomic():
            Flag.objects.create(
                athlete_id=athlete_id,
                plan_id=plan_id,
                kind=finding.kind,
                summary=finding.summary[:200],
                evidence=finding.evidence,
                opened_at=now,
                proposed_regression_to_id=proposed,
            )
        return True
    except IntegrityError:
        return False
