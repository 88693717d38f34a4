"""Notifying a flag: in the app and by e-mail, each exactly once.

Each flag is claimed with a conditional update (notified_at IS NULL) before its in-app
notifications are written; each e-mail is claimed the same way before it is sent. The claim
and the notification rows commit together, so a worker killed halfway leaves the flag
unclaimed and the next run notifies it. An e-mail says who, what and when, and links to the
athlete's flags at SITE_URL.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from athletes.access import staff_of_teams

from .models import Flag, FlagKind, Notification

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
