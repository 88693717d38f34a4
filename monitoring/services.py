"""Writes with rules: recording check-ins and measurements, and the flag lifecycle.

Pages, the API and jobs call these; none of them writes these rows on its own.
"""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from athletes.access import own_notifications
from athletes.evaluation import request_evaluation
from core.db import AlreadyStored, insert_unless_exists
from core.plausibility import EARLIEST_LOG_TIME

from .models import (
    CheckIn,
    EmailDelivery,
    Flag,
    FlagStatus,
    Measurement,
    Notification,
    NotificationPreference,
    RecoveryActivity,
    TrainingSession,
)
from .notify import next_digest_at
from .reminders import clean_time_zone

logger = logging.getLogger(__name__)

# A phone's clock may run a little ahead of the server's; within this, "now" is meant.
CLOCK_SKEW = dt.timedelta(minutes=5)

CHECKIN_FIELDS = (
    "pain_rest",
    "pain_activity",
    "pain_morning",
    "pain_location",
    "soreness_injured",
    "soreness_other",
    "sleep_hours",
    "sleep_quality",
    "confidence",
    "readiness",
    "note",
)


class CheckInConflict(AlreadyStored):
    """The athlete already has a check-in for that day (and the caller did not ask to edit it):
    `existing` is that check-in."""

    def describe(self, existing) -> str:
        return gettext("A check-in for %(day)s already exists.") % {"day": existing.local_date}


@dataclass
class CheckInResult:
    checkin: CheckIn
    created: bool  # False: an edit of the day's check-in, or a replay of the same client key
    replayed: bool = False  # True: the client key was seen before; nothing was written


def replayed(model, athlete, client_key):
    """The row this athlete's client already stored under `client_key` (voided or not), or
    None: a retried request (double tap, timeout, back button) returns it and writes
    nothing."""
    if client_key is None:
        return None
    manager = getattr(model, "all_objects", model.objects)
    return manager.filter(athlete=athlete, client_key=client_key).first()


# What a log time may not be, by what is logged: whole sentences, for each language's words.
TOO_EARLY = {
    "check-in": gettext_lazy("The check-in time must be from 1 Jan 2000 on."),
    "measurement": gettext_lazy("The measurement time must be from 1 Jan 2000 on."),
    "session": gettext_lazy("The session time must be from 1 Jan 2000 on."),
    "sprint": gettext_lazy("The sprint time must be from 1 Jan 2000 on."),
}
IN_THE_FUTURE = {
    "check-in": gettext_lazy("The check-in time cannot be in the future."),
    "measurement": gettext_lazy("The measurement time cannot be in the future."),
    "session": gettext_lazy("The session time cannot be in the future."),
    "sprint": gettext_lazy("The sprint time cannot be in the future."),
}


def clean_log_time(
    value: dt.datetime | None, *, now: dt.datetime, field: str, what: str
) -> dt.datetime:
    """The time of a report or a test: now when absent; in the past for late or paper
    entries (from 1 Jan 2000 on); never in the future (beyond a few minutes of phone clock
    skew, which is read as now). Errors are keyed by `field`; `what` names it for people."""
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    # Compared before converting: a year-1 time with a positive offset has no UTC value.
    if value < EARLIEST_LOG_TIME:
        raise ValidationError(
            {field: TOO_EARLY.get(what, f"The {what} time must be from 1 Jan 2000 on.")}
        )
    if value > now + CLOCK_SKEW:
        raise ValidationError(
            {field: IN_THE_FUTURE.get(what, f"The {what} time cannot be in the future.")}
        )
    return min(value.astimezone(dt.UTC), now)  # offsets beyond ±16 h are valid ISO, not SQL


def clean_taken_at(taken_at: dt.datetime | None, *, now: dt.datetime) -> dt.datetime:
    return clean_log_time(taken_at, now=now, field="taken_at", what="check-in")


def record_checkin(
    athlete,
    *,
    by,
    values: dict,
    taken_at: dt.datetime | None = None,
    client_key: uuid.UUID | None = None,
    editing: CheckIn | None = None,
    now: dt.datetime | None = None,
) -> CheckInResult:
    """Store an athlete's check-in exactly once.

    - The same `client_key` again (double tap, retry after a timeout, back button, or two
      requests at the same moment) returns the first check-in and writes nothing.
    - One check-in per athlete and day. `editing` is the check-in the person's form showed
      (today's, on the Today page): a time on that same day corrects it
      (`corrections.correct_checkin`, with its audit trail). Any other day is a new
      check-in for that day, and if that day already has one, CheckInConflict names it:
      another day's check-in is never replaced silently. Nothing is stored half-way.
    - Values are validated by the model's validators; errors are keyed by field.
    - After the commit, the athlete is evaluated by the monitoring job.
    """
    now = now or timezone.now()
    if (existing := replayed(CheckIn, athlete, client_key)) is not None:
        return CheckInResult(existing, created=False, replayed=True)
    taken_at = clean_taken_at(taken_at, now=now)
    local_date = timezone.localdate(taken_at)
    unknown = set(values) - set(CHECKIN_FIELDS)
    if unknown:
        raise ValueError(f"Unknown check-in fields: {sorted(unknown)}")
    if editing is not None and editing.local_date == local_date:
        from .corrections import correct_checkin

        corrected = correct_checkin(editing, by=by, values=values, taken_at=taken_at, now=now)
        return CheckInResult(corrected, created=False)
    for _ in range(3):  # a concurrent request may insert, or delete, the day's check-in meanwhile
        checkin = CheckIn(
            athlete=athlete, local_date=local_date, client_key=client_key, created_by=by
        )
        _fill_checkin(checkin, taken_at, values)
        # One statement that skips the insert when the day (or the key) already has a
        # check-in: no locking read first, and no savepoint, since the expected conflict
        # raises nothing (this is the busiest write: every athlete, every day). The
        # evaluation request commits with it.
        with transaction.atomic(savepoint=False):
            inserted = insert_unless_exists(checkin)
            if inserted:
                request_evaluation([athlete.pk])
        if inserted:
            return CheckInResult(checkin, created=True)
        if (existing := replayed(CheckIn, athlete, client_key)) is not None:
            return CheckInResult(existing, created=False, replayed=True)
        existing = CheckIn.objects.filter(athlete=athlete, local_date=local_date).first()
        if existing is not None:
            raise CheckInConflict(existing)
        # The conflicting row was deleted or voided meanwhile: the next round inserts.
    # Three rounds of concurrent deletes: transient, like a database that is briefly away
    # (answered 503 with Retry-After; the client's retry will find a settled day).
    raise OperationalError(f"The check-in of {local_date} kept changing under this request.")


def _fill_checkin(checkin: CheckIn, taken_at: dt.datetime, values: dict) -> None:
    checkin.taken_at = taken_at
    for field in CHECKIN_FIELDS:
        if field in values:
            setattr(checkin, field, values[field])
    # Field validators give the field-level errors; the database enforces the constraints
    # (validating them here would cost one query each).
    checkin.full_clean(
        exclude=["athlete", "created_by"], validate_unique=False, validate_constraints=False
    )


def record_measurement(
    athlete,
    *,
    by,
    metric,
    value,
    measured_at=None,
    side="",
    source="manual",
    notes="",
    session=None,
    client_key=None,
    import_batch=None,
    now=None,
) -> Measurement:
    """Store one measurement and evaluate the athlete after commit. Validated like a form:
    the registry's plausible range and side rule (MetricKind.value_errors), the time's
    bounds; errors keyed by field."""
    now = now or timezone.now()
    measured_at = clean_log_time(measured_at, now=now, field="measured_at", what="measurement")
    if (existing := replayed(Measurement, athlete, client_key)) is not None:
        return existing
    return _record_entry(
        Measurement,
        athlete,
        by=by,
        client_key=client_key,
        metric=metric,
        value=value,
        side=side or "",
        measured_at=measured_at,
        source=source,
        notes=notes,
        session=session,
        import_batch=import_batch,
    )


def record_session(athlete, *, by, values: dict, client_key=None) -> TrainingSession:
    """Store a training session for the athlete's active plan (validated like a form) and
    evaluate the athlete after commit (its pain counts for the gates). The date's bounds (not
    before 2000, not in the future) and every range are the model fields' validators."""
    if (existing := replayed(TrainingSession, athlete, client_key)) is not None:
        return existing
    plan = athlete.plans.active().first()
    return _record_entry(
        TrainingSession, athlete, by=by, client_key=client_key, plan=plan, **values
    )


def _record_entry(model, athlete, *, by, client_key, **values):
    """A new session or measurement: validated by full_clean (errors keyed by field), saved
    with the athlete's evaluation request."""
    entry = model(athlete=athlete, logged_by=by, client_key=client_key, **values)
    entry.full_clean(exclude=["athlete", "logged_by", "plan", "load"], validate_unique=False)
    # Inside a caller's transaction (a CSV import) no savepoint per row: the import is all
    # or nothing anyway.
    with transaction.atomic(savepoint=False):
        entry.save()
        request_evaluation([athlete.pk])
    return entry


MAX_RECOVERY_MINUTES = 24 * 60


@dataclass
class RecoveryResult:
    activity: RecoveryActivity
    created: bool  # False: the client key was seen before; nothing was written


def record_recovery(
    athlete,
    *,
    kind: str,
    minutes,
    performed_on: dt.date | None = None,
    note: str = "",
    client_key: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> RecoveryResult:
    """Store one piece of recovery work exactly once.

    The same `client_key` again (double tap, retry) returns the first row and writes
    nothing. The day defaults to the athlete's today and may not be in the future.
    Errors are keyed by field; nothing is stored half-way.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if (existing := replayed(RecoveryActivity, athlete, client_key)) is not None:
        return RecoveryResult(existing, created=False)
    performed_on = performed_on or today
    if performed_on > today:
        raise ValidationError(
            {"performed_on": gettext("Recovery work cannot be logged for a future day.")}
        )
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise ValidationError({"minutes": gettext("Minutes must be a whole number.")}) from None
    if not 1 <= minutes <= MAX_RECOVERY_MINUTES:
        raise ValidationError({"minutes": gettext("Minutes must be between 1 and 1440 (one day).")})
    activity = RecoveryActivity(
        athlete=athlete,
        kind=kind,
        minutes=minutes,
        performed_on=performed_on,
        note=(note or "").strip(),
        client_key=client_key,
    )
    activity.full_clean(exclude=["athlete"], validate_unique=False)
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        # Two requests with the same key at the same moment: the first one's row stands.
        existing = replayed(RecoveryActivity, athlete, client_key)
        if existing is None:
            raise
        return RecoveryResult(existing, created=False)
    return RecoveryResult(activity, created=True)


# --- flag lifecycle: open → acknowledged → resolved -----------------------------------------


class FlagTransitionError(Exception):
    pass


def _audit_flag(flag: Flag, *, by, action, before: str, now) -> None:
    from athletes.access import role_for_athlete
    from athletes.audit import record_event

    record_event(
        actor=by,
        role=role_for_athlete(by, flag.athlete) if by is not None else "",
        athlete=flag.athlete,
        action=action,
        target=flag,
        before={"status": before},
        after={
            "status": flag.status,
            "kind": flag.kind,
            "note": flag.resolved_note or flag.acknowledged_note,
        },
        at=now,
    )


def acknowledge_flag(flag: Flag, *, by, note: str = "", now=None) -> Flag:
    """Mark an open flag as seen. Conditional update: of two people acting at once, one wins."""
    from athletes.models import AuditAction

    now = now or timezone.now()
    with transaction.atomic():
        changed = Flag.objects.filter(pk=flag.pk, status=FlagStatus.OPEN).update(
            status=FlagStatus.ACKNOWLEDGED,
            acknowledged_by=by,
            acknowledged_at=now,
            acknowledged_note=note.strip(),
        )
        if not changed:
            raise FlagTransitionError("This flag is no longer open.")
        flag.refresh_from_db()
        _audit_flag(flag, by=by, action=AuditAction.FLAG_ACKNOWLEDGE, before="open", now=now)
    return flag


def resolve_flag(flag: Flag, *, by, note: str, now=None) -> Flag:
    """Close a flag (open or acknowledged) with a note saying what was done."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what was done about this flag."})
    now = now or timezone.now()
    updates = dict(status=FlagStatus.RESOLVED, resolved_by=by, resolved_at=now, resolved_note=note)
    from athletes.models import AuditAction

    with transaction.atomic():
        current = Flag.objects.select_for_update().get(pk=flag.pk)
        if current.status == FlagStatus.RESOLVED:
            raise FlagTransitionError("This flag is already resolved.")
        if current.acknowledged_at is None:
            updates.update(acknowledged_by=by, acknowledged_at=now)
        Flag.objects.filter(pk=flag.pk).update(**updates)
        flag.refresh_from_db()
        _audit_flag(flag, by=by, action=AuditAction.FLAG_RESOLVE, before=current.status, now=now)
    return flag


# --- staff notifications -----------------------------------------------------------------------


def mark_notification_read(notification: Notification, *, now=None) -> Notification:
    """Mark one notification read (the caller resolved it for its recipient: selectors.
    notification_for). Reading it again keeps the first time."""
    now = now or timezone.now()
    Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now)
    notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_notifications_read(user, *, now=None) -> int:
    """Mark every unread notification of the user read; how many were."""
    now = now or timezone.now()
    return own_notifications(user, Notification.objects.filter(read_at=None)).update(read_at=now)


def save_notification_preferences(user, values: dict, *, now=None) -> NotificationPreference:
    """Store the user's preferences (`values`: NotificationPreference fields). Choosing the
    daily digest schedules the next one at the chosen time on the person's own clock (their
    time zone, else the site's); leaving it unschedules it."""
    now = now or timezone.now()
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    for name, value in values.items():
        setattr(preference, name, value)
    if preference.time_zone:
        clean_time_zone(preference.time_zone)
    if preference.delivery == EmailDelivery.DIGEST:
        preference.next_digest_at = next_digest_at(
            preference.digest_time, zone_name=preference.time_zone, now=now
        )
    else:
        preference.next_digest_at = None
    preference.full_clean(exclude=["user"])
    preference.save()
    return preference
