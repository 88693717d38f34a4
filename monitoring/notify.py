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
from django.utils import timezone

from athletes.access import own_notifications, staff_of_teams

from .models import EmailDelivery, Flag, FlagKind, Notification, NotificationPreference
from .selectors import flag_summary

logger = logging.getLogger(__name__)


# --- notifications -----------------------------------------------------------------------------


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


def _preference(user) -> NotificationPreference | None:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return None


def _wants_email(user, kind) -> bool:
    preference = _preference(user)
    return preference is None or preference.emails_kind(kind)


def _message(flag) -> str:
    return f"{FLAG_SUBJECT[flag.kind]} — {flag.athlete.full_name}: {flag_summary(flag)}"[:300]


def flag_page_url(athlete_id) -> str:
    """The athlete's page at its flags section, absolute (e-mails are read outside the app)."""
    return f"{settings.SITE_URL}{reverse('coach:athlete', args=[athlete_id])}#flags"


def _email_body(flag) -> str:
    """Who, what, when it opened, and where to act on it."""
    athlete = flag.athlete
    opened = timezone.localtime(flag.opened_at)
    return (
        f"{FLAG_SUBJECT[flag.kind]} — {athlete.full_name} ({athlete.team.name}): "
        f"{flag_summary(flag)}\n"
        f"\n"
        f"When it opened: {flag.summary}\n"
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


# --- the daily digest --------------------------------------------------------------------------


def next_digest_at(digest_time: dt.time, *, now=None) -> dt.datetime:
    """The next moment after `now` when the local clock (settings.TIME_ZONE) shows
    `digest_time`."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    due = timezone.make_aware(dt.datetime.combine(day, digest_time))
    if due <= now:
        due = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), digest_time))
    return due


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
        ).update(next_digest_at=next_digest_at(preference.digest_time, now=now))
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
        send_mail(
            subject=f"[Sprintback] {len(listed)} new flag{'s' if len(listed) != 1 else ''} "
            "to review",
            message=_digest_body(listed, now),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    except Exception:
        Notification.objects.filter(pk__in=claimed).update(emailed_at=None)
        raise
    return 1


def _digest_body(notifications, now) -> str:
    lines = [f"New flags on your athletes ({len(notifications)}), newest first:", ""]
    for n in notifications:
        flag = n.flag
        opened = timezone.localtime(flag.opened_at)
        lines += [
            f"- {flag.athlete.full_name} ({flag.athlete.team.name}) — {FLAG_SUBJECT[flag.kind]}: "
            f"{flag_summary(flag, now=now)}; opened {opened.day} {opened:%b %H:%M}",
            f"  {flag_page_url(flag.athlete_id)}",
        ]
    lines += [
        "",
        f"All your notifications: {settings.SITE_URL}{reverse('notifications:list')}",
        "You receive this daily digest because you chose it in your notification preferences.",
    ]
    return "\n".join(lines) + "\n"
