"""Celery tasks of monitoring: thin wrappers that call a service."""

from celery import shared_task

from . import notify
from .job_runs import recorded


@shared_task(acks_late=True, ignore_result=True)
@recorded
def send_notification_digests():
    """Send the daily digests that are due (Celery beat, every minute): each person once a
    day, at the local time they chose."""
    return notify.send_due_digests()
