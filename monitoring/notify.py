"""Notifying a flag: in the app and by e-mail, each exactly once.

Each flag is claimed with a conditional update (notified_at IS NULL) before its in-app
notifications are written; each e-mail is claimed the same way before it is sent. The claim
and the notification rows commit together, so a worker killed halfway leaves the flag
unclaimed and the next run notifies it. An e-mail says who, what and when, and links to the
athlete's flags at SITE_URL.

Each person's NotificationPreference decides the e-mail: a flag kind turned off is settled
without sending; a person on the daily digest gets nothing here, and `send_due_digests` sends
them one e-mail a day listing what is unread and not yet e-mailed.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from athletes.access import own_notifications, staff_of_teams

from .models import (
    EmailDelivery,
    Flag,
    FlagKind,
    Notification,
    NotificationPreference,
    language_or_default,
)
from .reminders import next_reminder_at, zone
from .selectors import flag_summary

logger = logging.getLogger(__name__)


# --- notifications -----------------------------------------------------------------------------


# A flag's kind as a subject line: the kind's label, in the language active when read.
FLAG_SUBJECT = {kind: kind.label for kind in FlagKind}


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
        languages = _languages({user_id for ids in staff.values() for user_id in ids})
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user_id, flag=flag, message=_message(flag, languages[user_id])
                )
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
            # The digest's people are e-mailed by send_due_digests.
            .exclude(recipient__notification_preference__delivery=EmailDelivery.DIGEST)
            .select_related("recipient__notification_preference", "flag__athlete__team")
        )
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    for notification in pending:
        if not _wants_email(notification.recipient, notification.flag.kind):
            continue  # settled: that kind's e-mails are off (the page still lists it)
        try:
            emailed += _email(notification)
        except Exception:
            logger.exception("monitoring: e-mail for notification %s failed", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
    return len(created), emailed


def _languages(user_ids) -> dict:
    """Each person's language for what is sent to them (NotificationPreference.
    message_language), by user id: one query."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "language"
        )
    )
    return {user_id: language_or_default(chosen.get(user_id)) for user_id in user_ids}


def _language(user) -> str:
    preference = _preference(user)
    return settings.LANGUAGE_CODE if preference is None else preference.message_language


def _preference(user) -> NotificationPreference | None:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return None


def _zone_of(preference: NotificationPreference | None):
    """The clock an e-mail's times are written in: the person's time zone, else the site's."""
    return zone(preference.time_zone if preference is not None else "")


def _wants_email(user, kind) -> bool:
    preference = _preference(user)
    return preference is None or preference.emails_kind(kind)


def _message(flag, language: str) -> str:
    """The notification's line, in the recipient's language (it is stored as written)."""
    with translation.override(language):
        return (
            _("%(kind)s — %(athlete)s: %(summary)s")
            % {
                "kind": FLAG_SUBJECT[flag.kind],
                "athlete": flag.athlete.full_name,
                "summary": flag_summary(flag),
            }
        )[:300]


def flag_page_url(athlete_id) -> str:
    """The athlete's page at its flags section, absolute (e-mails are read outside the app)."""
    return f"{settings.SITE_URL}{reverse('coach:athlete', args=[athlete_id])}#flags"


def _email_body(flag) -> str:
    """Who, what, when it opened, and where to act on it, in the active language."""
    athlete = flag.athlete
    opened = timezone.localtime(flag.opened_at)
    words = {
        "kind": FLAG_SUBJECT[flag.kind],
        "athlete": athlete.full_name,
        "first_name": athlete.first_name,
        "team": athlete.team.name,
        "summary": flag_summary(flag),
        "opened_summary": flag.summary,
        "date": date_format(opened, "DATE_FORMAT"),
        "time": time_format(opened, "TIME_FORMAT"),
        "zone": opened.tzname(),
        "url": flag_page_url(athlete.pk),
    }
    # The summary stored when the flag opened is English (the scan writes it once, for the
    # record); other languages have the same facts in the translated line above it.
    opened_line = (
        [_("When it opened: %(opened_summary)s") % words]
        if translation.get_language().startswith("en")
        else []
    )
    return (
        "\n\n".join(
            [
                _("%(kind)s — %(athlete)s (%(team)s): %(summary)s") % words,
                *opened_line,
                _("Flag opened %(date)s at %(time)s %(zone)s.") % words,
                _(
                    "Review the evidence on %(first_name)s's page, then acknowledge or resolve "
                    "the flag:\n%(url)s"
                )
                % words,
                _("You receive this as a coach or clinician of %(team)s in Sprintback.") % words,
            ]
        )
        + "\n"
    )


def _email(notification) -> int:
    """The flag's e-mail to one person, in their language and on their clock."""
    recipient = notification.recipient
    if not recipient.email:
        return 0
    preference = _preference(recipient)
    with translation.override(_language(recipient)), timezone.override(_zone_of(preference)):
        send_mail(
            subject=f"[Sprintback] {notification.message[:120]}",
            message=_email_body(notification.flag),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient.email],
        )
    return 1


# --- the daily digest --------------------------------------------------------------------------


def next_digest_at(digest_time: dt.time, *, zone_name: str = "", now=None) -> dt.datetime:
    """The next moment after `now` when the person's local clock (their time zone, else
    settings.TIME_ZONE) shows `digest_time`; the same daylight-saving rule as the reminders."""
    return next_reminder_at(digest_time, zone(zone_name), now=now or timezone.now())


def send_due_digests(now=None) -> dict:
    """Send each person whose digest is due one e-mail listing their unread notifications not
    yet e-mailed (of the kinds they want e-mailed), and mark every notification of theirs not
    yet e-mailed as e-mailed. Exactly once:

    1. each due person is claimed by moving their next_digest_at on, with a conditional update
       (a second worker, or a second run, finds nothing due);
    2. their notifications are claimed the same way (emailed_at IS NULL) and the e-mail sent;
    3. a failed send puts both claims back, so the next run tries again; one person failing
       does not stop the others (logged with the person's id, counted).
    """
    now = now or timezone.now()
    report = {"due": 0, "sent": 0, "failures": 0}
    due = NotificationPreference.objects.filter(
        next_digest_at__lte=now, delivery=EmailDelivery.DIGEST
    ).select_related("user")
    for preference in due:
        report["due"] += 1
        claimed = NotificationPreference.objects.filter(
            pk=preference.pk, next_digest_at=preference.next_digest_at
        ).update(
            next_digest_at=next_digest_at(
                preference.digest_time, zone_name=preference.time_zone, now=now
            )
        )
        if not claimed:
            continue
        try:
            report["sent"] += _send_digest(preference, now)
        except Exception:
            logger.exception("monitoring: digest for user %s failed", preference.user_id)
            report["failures"] += 1
            NotificationPreference.objects.filter(pk=preference.pk).update(
                next_digest_at=preference.next_digest_at
            )
    return report


def _send_digest(preference, now) -> int:
    user = preference.user
    with transaction.atomic():
        notifications = list(
            own_notifications(user, Notification.objects.all())
            .select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at=None)
            .select_related("flag__athlete__team")
            .order_by("-created_at", "-pk")
        )
        claimed = [n.pk for n in notifications]
        Notification.objects.filter(pk__in=claimed).update(emailed_at=now)
    listed = [n for n in notifications if n.read_at is None and preference.emails_kind(n.flag.kind)]
    if not listed or not user.email:
        return 0
    try:
        with (
            translation.override(preference.message_language),
            timezone.override(_zone_of(preference)),
        ):
            count = len(listed)
            subject = ngettext(
                "%(count)s new flag to review", "%(count)s new flags to review", count
            ) % {"count": count}
            send_mail(
                subject=f"[Sprintback] {subject}",
                message=_digest_body(listed, now),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
            )
    except Exception:
        Notification.objects.filter(pk__in=claimed).update(emailed_at=None)
        raise
    return 1


def _digest_body(notifications, now) -> str:
    lines = [
        _("New flags on your athletes (%(count)s), newest first:") % {"count": len(notifications)},
        "",
    ]
    for n in notifications:
        flag = n.flag
        opened = timezone.localtime(flag.opened_at)
        line = _("%(athlete)s (%(team)s) — %(kind)s: %(summary)s; opened %(day)s %(time)s") % {
            "athlete": flag.athlete.full_name,
            "team": flag.athlete.team.name,
            "kind": FLAG_SUBJECT[flag.kind],
            "summary": flag_summary(flag, now=now),
            "day": date_format(opened, "SHORT_DATE_FORMAT"),
            "time": time_format(opened, "TIME_FORMAT"),
        }
        lines += [f"- {line}", f"  {flag_page_url(flag.athlete_id)}"]
    lines += [
        "",
        _("All your notifications: %(url)s")
        % {"url": f"{settings.SITE_URL}{reverse('notifications:list')}"},
        _("You receive this daily digest because you chose it in your notification preferences."),
    ]
    return "\n".join(lines) + "\n"
