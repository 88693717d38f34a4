"""The check-in reminder job: find the reminders that are due, claim each once, and send one
when the athlete is in an active plan and has not checked in that local day.

It lives here, not in monitoring, because "in an active plan" is rehab's; the schedule, the
texts and the sending are monitoring.reminders'. Claims follow healthchecks' sendalerts and
rehab.evaluation: the due query reads the partial index on next_reminder_at, so a run costs
what is due, not every athlete.
"""

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from monitoring import reminders
from monitoring.models import CheckinReminder

from .models import Plan

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died before settling the row: another run
# takes the row over. Far longer than deciding one reminder.
REMINDER_LEASE = dt.timedelta(minutes=5)


def send_due_reminders(*, now=None, batch: int = 500) -> dict:
    """Send every reminder that is due at `now`, each at most once per athlete and local day.

    Steps, per due row (next_reminder_at <= now, not held by a live lease):
    1. Claim it with a conditional update that only matches the row as it was read (same
       next_reminder_at, no live lease): with two workers exactly one gets it.
    2. Decide: the local day it is for (the athlete's time zone), whether that day is already
       over, whether they checked in that day, whether they are in an active plan.
    3. Settle it, again conditionally on our lease: next_reminder_at moves to the chosen time
       on the next local day and the day is recorded as handled. A worker killed before this
       step leaves its lease to expire, and a later run takes the row over.
    4. Only then send (push, else e-mail): a worker killed while sending may lose that day's
       reminder, but never sends it twice.
    One athlete failing is logged with their id and counted; the others go on.
    """
    now = now or timezone.now()
    report = {"due": 0, "sent": 0, "push": 0, "email": 0, "skipped": 0, "failures": 0}
    due = (
        CheckinReminder.objects.filter(next_reminder_at__lte=now)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .order_by("next_reminder_at", "pk")
        .values_list("pk", "next_reminder_at", "claimed_until")
    )
    # Batch after batch until nothing is due: every row read is settled, or held by a lease
    # (ours after a failure, or another worker's), so none comes back and the loop ends.
    while True:
        candidates = list(due[:batch])
        for pk, due_at, held_until in candidates:
            report["due"] += 1
            lease = now + REMINDER_LEASE
            claimed = CheckinReminder.objects.filter(
                pk=pk, next_reminder_at=due_at, claimed_until=held_until
            ).update(claimed_until=lease)
            if not claimed:
                continue  # another worker has it
            try:
                outcome = _handle(pk, lease, now)
            except Exception:
                logger.exception("reminders: reminder %s failed", pk)
                report["failures"] += 1
                continue
            if outcome:
                report["sent"] += 1
                report[outcome] += 1
            else:
                report["skipped"] += 1
        if len(candidates) < batch:
            break
    return report


def _handle(pk: int, lease: dt.datetime, now: dt.datetime) -> str:
    """Steps 2 to 4 for one claimed row; the channel used, or "" when nothing was sent."""
    reminder = CheckinReminder.objects.select_related("athlete__user").get(pk=pk)
    athlete = reminder.athlete
    tz = reminders.zone(reminders.zone_name_of(athlete.user_id))
    day = reminders.reminder_day(reminder, tz)
    wanted = (
        reminder.time is not None
        and athlete.user is not None
        and athlete.user.is_active
        and not athlete.is_archived
        # Missed altogether (the workers were down all day): that day is over.
        and now.astimezone(tz).date() == day
        and not reminders.has_checkin_on(athlete, day, tz)
        and Plan.objects.active().filter(athlete=athlete).exists()
    )
    following = (
        reminders.next_reminder_at(reminder.time, tz, now=now, after_day=day)
        if reminder.time is not None
        else None
    )
    settled = CheckinReminder.objects.filter(pk=pk, claimed_until=lease).update(
        next_reminder_at=following,
        handled_on=day,
        claimed_until=None,
        **({"last_sent_at": now} if wanted else {}),
    )
    if not settled or not wanted:
        return ""  # our lease ran out and another worker took over; or nothing to send
    channel = reminders.deliver_reminder(athlete)
    if channel:
        CheckinReminder.objects.filter(pk=pk).update(last_channel=channel)
    return channel
