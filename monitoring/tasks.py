"""Celery tasks: thin wrappers around monitoring.jobs."""

from celery import shared_task

from . import jobs


@shared_task(acks_late=True, ignore_result=True)
def scan_all_athletes():
    """Evaluate every athlete in an active plan (Celery beat, every 15 minutes)."""
    return jobs.scan_all().as_dict()


@shared_task(acks_late=True, ignore_result=True)
def evaluate_pending():
    """Evaluate the athletes whose data changed since the last run (started about a second
    after a commit by monitoring.services, and every minute by Celery beat as a sweep)."""
    return jobs.evaluate_pending().as_dict()


@shared_task(acks_late=True, ignore_result=True)
def evaluate_athlete(athlete_id: int):
    """Evaluate one athlete. No longer sent by the app (see evaluate_pending); kept so that
    messages queued by an earlier release are still consumed."""
    return jobs.scan_all(athlete_ids=[athlete_id]).as_dict()
