"""Check-in reminders: the athlete's chosen local time, their time zone, the coach's
suggestion, when the next reminder is due, and sending one (Web Push, else e-mail).

The job that finds the due reminders and decides whether to send (a check-in that day? an
active plan?) is rehab.reminders: plans live above this layer.

Time: `next_reminder_at` is computed from the local day and wall-clock time with zoneinfo, so a
07:30 reminder is 07:30 local on both sides of a daylight-saving change. A time on a day when
the clock skips it (02:30 in a spring-forward gap) comes at the same offset as before the jump,
i.e. an hour later on the new clock."""

import datetime as dt
import json
import logging
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    CheckIn,
    CheckinReminder,
    NotificationPreference,
    PushSubscription,
)
from .push import PushOutcome, send_push
from .selectors import language_of

logger = logging.getLogger(__name__)


# --- time zones -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """The IANA names a person may choose (the system's tz database), sorted; the database's
    own plumbing (localtime, Factory, the posix/ and right/ copies) left out."""
    plumbing = {"localtime", "Factory", "posixrules"}
    return tuple(
        sorted(
            name
            for name in available_timezones()
            if name not in plumbing and not name.startswith(("posix/", "right/"))
        )
    )


def clean_time_zone(name) -> str:
    """An IANA time zone name from time_zone_names(); ValidationError otherwise."""
    if not isinstance(name, str) or name not in time_zone_names():
        raise ValidationError(_("Choose a time zone from the list, e.g. Europe/Madrid."))
    return name


def zone_name_of(user) -> str:
    """The person's own time zone: their preference, else settings.TIME_ZONE."""
    name = (
        NotificationPreference.objects.filter(user=user).values_list("time_zone", flat=True).first()
    )
    return name or settings.TIME_ZONE


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


# --- the schedule -----------------------------------------------------------------------------


def next_reminder_at(
    at: dt.time, tz: ZoneInfo, *, now: dt.datetime, after_day: dt.date | None = None
) -> dt.datetime:
    """The first instant after `now` when the clock in `tz` shows `at`, on a local day after
    `after_day` (the day last handled, so no day is reminded twice), in UTC."""
    day = now.astimezone(tz).date()
    if after_day is not None and day <= after_day:
        day = after_day + dt.timedelta(days=1)
    while True:
        due = dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)
        if due > now:
            return due
        day += dt.timedelta(days=1)


def reminder_day(reminder: CheckinReminder, tz: ZoneInfo) -> dt.date:
    """The athlete's local day the due reminder is for."""
    return reminder.next_reminder_at.astimezone(tz).date()


def _schedule(reminder: CheckinReminder, *, now) -> None:
    """next_reminder_at from the chosen time and the person's zone (None when off)."""
    if reminder.time is None or reminder.athlete.user_id is None:
        reminder.next_reminder_at = None
        return
    tz = zone(zone_name_of(reminder.athlete.user_id))
    reminder.next_reminder_at = next_reminder_at(
        reminder.time, tz, now=now, after_day=reminder.handled_on
    )


def reminder_of(athlete) -> CheckinReminder:
    """The athlete's reminder row, or an unsaved one (off, no suggestion)."""
    return CheckinReminder.objects.filter(athlete=athlete).first() or CheckinReminder(
        athlete=athlete
    )


def set_reminder_time(athlete, at: dt.time | None, *, now=None) -> CheckinReminder:
    """The athlete's own choice: a local time, or None (off). Reschedules at once. Seconds
    are dropped (the reminder rings on the minute)."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder, _created = CheckinReminder.objects.select_for_update().get_or_create(
            athlete=athlete
        )
        reminder.time = at.replace(second=0, microsecond=0) if at is not None else None
        _schedule(reminder, now=now)
        reminder.claimed_until = None
        reminder.save()
    return reminder


def suggest_reminder_time(athlete, at: dt.time, *, by, now=None) -> CheckinReminder:
    """A coach's suggestion: stored beside the athlete's own choice, which it never changes."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder, _created = CheckinReminder.objects.select_for_update().get_or_create(
            athlete=athlete
        )
        reminder.suggested_time = at.replace(second=0, microsecond=0)
        reminder.suggested_by = by
        reminder.suggested_at = now
        reminder.save(update_fields=["suggested_time", "suggested_by", "suggested_at"])
    return reminder


def accept_suggestion(athlete, *, now=None) -> CheckinReminder:
    """The athlete takes the coach's suggested time as their own; ValidationError when there
    is none."""
    suggested = reminder_of(athlete).suggested_time
    if suggested is None:
        raise ValidationError(_("Your coach has not suggested a time."))
    return set_reminder_time(athlete, suggested, now=now)


def reschedule_for_user(user, *, now=None) -> None:
    """After the person's time zone changed: their athlete's next reminder, recomputed now."""
    now = now or timezone.now()
    with transaction.atomic():
        for reminder in CheckinReminder.objects.select_for_update().filter(
            athlete__user=user, time__isnull=False
        ):
            _schedule(reminder, now=now)
            reminder.save(update_fields=["next_reminder_at"])


def set_time_zone(user, name: str, *, now=None) -> NotificationPreference:
    """Store the person's time zone (an IANA name) and move their reminder to it at once."""
    name = clean_time_zone(name)
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.get_or_create(user=user)
        preference.time_zone = name
        preference.save(update_fields=["time_zone"])
        reschedule_for_user(user, now=now)
    return preference


# --- what the job asks, and sending -----------------------------------------------------------


def has_checkin_on(athlete, day: dt.date, tz: ZoneInfo) -> bool:
    """A check-in in force holds the athlete's local `day`: its calendar day is that date, or
    it was taken during that day in the athlete's own time zone."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return (
        CheckIn.objects.filter(athlete=athlete)
        .filter(Q(local_date=day) | Q(taken_at__gte=start, taken_at__lt=end))
        .exists()
    )


def reminder_text() -> tuple[str, str]:
    """The title and body of a reminder, in the active language (PRODUCT.md §2.8: it asks for
    the report, it does not advise)."""
    return (
        gettext("Time for your check-in"),
        gettext("Pain, sleep and readiness: your daily check-in takes about 15 seconds."),
    )


def deliver_reminder(athlete) -> str:
    """Send the athlete one reminder: Web Push to each of their subscriptions; e-mail when they
    have none or every push failed. Returns the channel: "push", "email" or "" (nothing could
    be sent: no subscription that took it and no e-mail address)."""
    user = athlete.user
    with translation.override(language_of(user)):
        title, body = reminder_text()
        today_url = reverse("me:today")
        payload = json.dumps({"title": title, "body": body, "url": today_url})
        pushed = 0
        for subscription in PushSubscription.objects.filter(user=user).order_by("pk"):
            if send_push(subscription, payload) is PushOutcome.SENT:
                pushed += 1
        if pushed:
            return "push"
        if not user.email:
            return ""
        send_mail(
            subject=f"[Sprintback] {title}",
            message=gettext(
                "%(body)s\n\nOpen today's check-in: %(url)s\n\n"
                "You receive this because you chose a daily reminder in Sprintback. Change the "
                "time or turn it off here: %(settings)s\n"
            )
            % {
                "body": body,
                "url": f"{settings.SITE_URL}{today_url}",
                "settings": f"{settings.SITE_URL}{reverse('me:reminders')}",
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        return "email"


_UNCHANGED = object()


def save_personal_settings(
    user, athlete, *, language=None, time_zone=None, reminder_time=_UNCHANGED, now=None
) -> None:
    """The person's language and time zone, and (athletes) their reminder time, stored
    together or not at all; the reminder is rescheduled at once. None leaves a setting as it
    is (for reminder_time, leave it out: None turns the reminder off)."""
    now = now or timezone.now()
    with transaction.atomic():
        if language is not None or time_zone is not None:
            preference, _created = NotificationPreference.objects.get_or_create(user=user)
            if language is not None:
                preference.language = language
            if time_zone is not None:
                preference.time_zone = clean_time_zone(time_zone)
            preference.save(update_fields=["language", "time_zone"])
        if reminder_time is not _UNCHANGED:
            if athlete is None:
                raise ValidationError({"reminder_time": _("Only athletes have a reminder.")})
            set_reminder_time(athlete, reminder_time, now=now)
        elif time_zone is not None:
            reschedule_for_user(user, now=now)
