"""Corrections with a trail (PRODUCT.md §2.9): correct or void a check-in, session or
measurement, and void a sprint trial (with the measurements derived from it). A wrong entry is
never silently deleted.

Who may do what:
- an athlete corrects their own check-ins (any day, from History);
- a coach or clinician of the athlete's team corrects or voids sessions and measurements,
  corrects a check-in, and voids a check-in entered in error.
Correcting someone else's entry needs a reason; voiding always does.

Every correction, in one transaction:
1. locks the row and re-validates it (the registry's ranges, the date bounds, the one
   check-in per day);
2. writes one audit event with who, when, before → after (the changed fields only) and why;
3. queues the athlete's evaluation (`athletes.evaluation.request_evaluation`, committed with
   the change), so flags follow the corrected data;
4. when voiding, marks every unresolved flag that cites the row (`evidence_voided_at`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from athletes.access import require_role
from athletes.evaluation import request_evaluation
from athletes.models import STAFF_ROLES, Role

from .models import CheckIn, Flag, FlagKind, Measurement, SprintTrial, TrainingSession
from .services import (
    CHECKIN_FIELDS,
    CheckInConflict,
    clean_log_time,
)

REASON_MAX = 1000
MEASUREMENT_FIELDS = ("value", "side", "measured_at", "notes")
SESSION_FIELDS = (
    "date",
    "type",
    "duration_min",
    "rpe",
    "top_intensity_pct",
    "sprint_distance_m",
    "surface",
    "footwear",
    "weather",
    "temperature_c",
    "pain_during",
    "pain_after",
    "notes",
)


class AlreadyVoided(Exception):
    """The entry was voided already (by someone else a moment ago, or earlier)."""


def _role(by, athlete, roles) -> str:
    return require_role(
        by, athlete, roles, message=_("Your role does not allow correcting this entry.")
    )


def _reason(reason: str, *, required: bool, message: str) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": message})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX}}
        )
    return reason


def _plain(value):
    """A field value as JSON for the audit trail."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _locked(model, pk):
    """The row under a lock, voided or not; AlreadyVoided if it was voided."""
    row = model.all_objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise model.DoesNotExist(f"{model.__name__} {pk} no longer exists.")
    if row.is_voided:
        raise AlreadyVoided(_already_voided(model))
    return row


def _already_voided(model) -> str:
    if model is CheckIn:
        return _("This check in was voided; it cannot be changed.")
    if model is TrainingSession:
        return _("This training session was voided; it cannot be changed.")
    if model is Measurement:
        return _("This measurement was voided; it cannot be changed.")
    if model is SprintTrial:
        return _("This sprint trial was voided already.")
    return _("This %(entry)s was voided; it cannot be changed.") % {
        "entry": model._meta.verbose_name
    }


def _apply(row, fields, values: dict) -> tuple[dict, dict]:
    """Set `values` on `row`; return (before, after) of the fields that actually changed."""
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"Not correctable here: {sorted(unknown)}")
    before, after = {}, {}
    for name, value in values.items():
        old = getattr(row, name)
        if _plain(old) != _plain(value):
            before[name], after[name] = _plain(old), _plain(value)
            setattr(row, name, value)
    return before, after


def _record_change(row, action, before, after, reason, *, by, role, now) -> None:
    """Steps 2 and 3 of every correction: the audit event (the reason beside the after
    values) and the athlete's evaluation, both in the caller's transaction."""
    from athletes.audit import record_event

    record_event(
        actor=by,
        role=role,
        athlete=row.athlete,
        action=action,
        target=row,
        before=before,
        after={**after, "reason": reason} if reason else after,
        at=now,
    )
    request_evaluation([row.athlete_id])


# --- check-ins -------------------------------------------------------------------------------


def correct_checkin(
    checkin: CheckIn,
    *,
    by,
    values: dict,
    taken_at: dt.datetime | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> CheckIn:
    """Correct a check-in's values (and its time). The athlete corrects their own without a
    reason; staff of their team give one. Moving it to a day that already has a check-in
    raises CheckInConflict naming that one."""
    from athletes.models import AuditAction

    now = now or timezone.now()
    role = _role(by, checkin.athlete, {Role.ATHLETE, *STAFF_ROLES})
    reason = _reason(
        reason,
        required=role != Role.ATHLETE,
        message=_("Say why you are changing the athlete's own check-in."),
    )
    with transaction.atomic():
        row = _locked(CheckIn, checkin.pk)
        changes = dict(values)
        if taken_at is not None:
            changes["taken_at"] = clean_log_time(
                taken_at, now=now, field="taken_at", what="check-in"
            )
        before, after = _apply(row, (*CHECKIN_FIELDS, "taken_at"), changes)
        if not after:
            return row
        row.local_date = timezone.localdate(row.taken_at)
        row.full_clean(
            exclude=["athlete", "created_by"], validate_unique=False, validate_constraints=False
        )
        other = (
            CheckIn.objects.filter(athlete_id=row.athlete_id, local_date=row.local_date)
            .exclude(pk=row.pk)
            .first()
        )
        if other is not None:
            raise CheckInConflict(other)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # the other day's check-in was inserted a moment ago
            other = CheckIn.objects.filter(athlete_id=row.athlete_id, local_date=row.local_date)
            raise CheckInConflict(other.exclude(pk=row.pk).first() or row) from None
        _record_change(
            row, AuditAction.CHECKIN_CORRECT, before, after, reason, by=by, role=role, now=now
        )
    return row


def void_checkin(checkin: CheckIn, *, by, reason: str, now=None) -> CheckIn:
    """Void a check-in entered in error (coach or clinician of the athlete's team)."""
    from athletes.models import AuditAction

    return _void(checkin, by=by, reason=reason, action=AuditAction.CHECKIN_VOID, now=now)


# --- sessions and measurements ---------------------------------------------------------------


def correct_session(
    session: TrainingSession, *, by, values: dict, reason: str = "", now=None
) -> TrainingSession:
    """Correct a training session (coach or clinician of the athlete's team)."""
    from athletes.models import AuditAction

    return _correct(
        TrainingSession,
        session,
        SESSION_FIELDS,
        by=by,
        values=values,
        reason=reason,
        action=AuditAction.SESSION_CORRECT,
        exclude=["athlete", "logged_by", "plan", "load"],
        now=now,
    )


def void_session(session: TrainingSession, *, by, reason: str, now=None) -> TrainingSession:
    from athletes.models import AuditAction

    return _void(session, by=by, reason=reason, action=AuditAction.SESSION_VOID, now=now)


def correct_measurement(
    measurement: Measurement, *, by, values: dict, reason: str = "", now=None
) -> Measurement:
    """Correct a measurement's value, side, time or notes (coach or clinician). The metric
    itself is not changed: void the entry and log the right one."""
    from athletes.models import AuditAction

    now = now or timezone.now()
    values = dict(values)
    if "measured_at" in values:
        values["measured_at"] = clean_log_time(
            values["measured_at"], now=now, field="measured_at", what="measurement"
        )
    return _correct(
        Measurement,
        measurement,
        MEASUREMENT_FIELDS,
        by=by,
        values=values,
        reason=reason,
        action=AuditAction.MEASUREMENT_CORRECT,
        exclude=["athlete", "logged_by"],
        now=now,
    )


def void_measurement(measurement: Measurement, *, by, reason: str, now=None) -> Measurement:
    from athletes.models import AuditAction

    return _void(measurement, by=by, reason=reason, action=AuditAction.MEASUREMENT_VOID, now=now)


def void_sprint_trial(trial: SprintTrial, *, by, reason: str, now=None) -> SprintTrial:
    """Void a sprint trial entered in error (coach or clinician of the athlete's team): the
    measurements derived from its profile are voided with it, in the same transaction."""
    from athletes.models import AuditAction

    return _void(trial, by=by, reason=reason, action=AuditAction.SPRINT_VOID, now=now)


def _correct(model, entry, fields, *, by, values, reason, action, exclude, now):
    now = now or timezone.now()
    role = _role(by, entry.athlete, STAFF_ROLES)
    own = entry.logged_by_id is not None and entry.logged_by_id == getattr(by, "pk", None)
    reason = _reason(
        reason,
        required=not own,
        message=_("Say why you are changing an entry someone else logged."),
    )
    with transaction.atomic():
        row = _locked(model, entry.pk)
        before, after = _apply(row, fields, values)
        if not after:
            return row
        row.full_clean(exclude=exclude, validate_unique=False)
        row.save()
        _record_change(row, action, before, after, reason, by=by, role=role, now=now)
    return row


def _void(entry, *, by, reason, action, now):
    now = now or timezone.now()
    role = _role(by, entry.athlete, STAFF_ROLES)
    reason = _reason(reason, required=True, message=_("Say why this entry is void."))
    model = type(entry)
    with transaction.atomic():
        row = _locked(model, entry.pk)
        model.all_objects.filter(pk=row.pk).update(
            voided_at=now, voided_by_id=by.pk, void_reason=reason
        )
        row.voided_at, row.voided_by_id, row.void_reason = now, by.pk, reason
        before, after = _snapshot(row), {"voided": True}
        _record_change(row, action, before, after, reason, by=by, role=role, now=now)
        _mark_flags_citing(row, reason=reason, now=now)
        if isinstance(row, SprintTrial):  # its profile's values go with it
            derived = list(Measurement.objects.filter(sprint_trial=row))
            Measurement.objects.filter(pk__in=[m.pk for m in derived]).update(
                voided_at=now, voided_by_id=by.pk, void_reason=reason
            )
            for measurement in derived:
                _mark_flags_citing(measurement, reason=reason, now=now)
    return row


def _snapshot(row) -> dict:
    """The values a voided entry held, kept in the audit trail."""
    if isinstance(row, CheckIn):
        fields = ("taken_at", *CHECKIN_FIELDS)
    elif isinstance(row, Measurement):
        fields = ("metric_id", *MEASUREMENT_FIELDS)
    elif isinstance(row, SprintTrial):
        fields = ("measured_at", "start", "run_in_m", "splits", "body_mass_kg", "mss", "quality")
    else:
        fields = SESSION_FIELDS
    return {name: _plain(getattr(row, name)) for name in fields}


def cited_ids(flag: Flag) -> tuple[set[int], set[int]]:
    """(check-in ids, measurement ids) a flag's evidence cites."""
    evidence = flag.evidence or {}
    checkins = {r.get("id") for r in evidence.get("reports", []) if isinstance(r, dict)}
    measurements = {evidence.get("measurement_id")}
    return checkins - {None}, measurements - {None}


def _cites(flag: Flag, row) -> bool:
    """Whether a flag's evidence cites this check-in, measurement, sprint trial or session (an
    intensity_above_phase flag cites the trials and sessions it found above the ceiling, a
    pain_response flag its session)."""
    if isinstance(row, CheckIn | Measurement):
        checkins, measurements = cited_ids(flag)
        return row.pk in (checkins if isinstance(row, CheckIn) else measurements)
    if flag.kind == FlagKind.PAIN_RESPONSE:  # the session whose 24-hour response was red
        return (
            isinstance(row, TrainingSession) and (flag.evidence or {}).get("session_id") == row.pk
        )
    if flag.kind != FlagKind.INTENSITY_ABOVE_PHASE:
        return False
    source = "trial" if isinstance(row, SprintTrial) else "session"
    exposures = (flag.evidence or {}).get("exposures") or []
    return any(
        isinstance(e, dict) and e.get("source") == source and e.get("id") == row.pk
        for e in exposures
    )


# What a flag's page calls a voided entry it cites.
CITED_WORDS = {
    CheckIn: "check-in",
    Measurement: "measurement",
    SprintTrial: "sprint trial",
    TrainingSession: "session",
}


def _mark_flags_citing(row, *, reason: str, now) -> None:
    what = CITED_WORDS[type(row)]
    if isinstance(row, TrainingSession):
        day = row.date
    else:
        day = timezone.localdate(row.taken_at if isinstance(row, CheckIn) else row.measured_at)
    when = date_format(day)
    for flag in Flag.objects.unresolved().filter(athlete_id=row.athlete_id):
        if _cites(flag, row):
            Flag.objects.filter(pk=flag.pk).update(
                evidence_voided_at=now,
                evidence_voided_note=f"The {what} of {when} it cites was voided: {reason}"[:300],
            )
