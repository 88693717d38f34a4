"""Celery tasks: thin wrappers around monitoring.jobs. The beat-scheduled ones record their
runs (monitoring.job_runs) for /healthz."""

from celery import shared_task

from . import jobs
from .job_runs import recorded


@shared_task(acks_late=True, ignore_result=True)
@recorded
def scan_all_athletes():
    """Evaluate every athlete in an active plan (Celery beat, every MONITORING_SCAN_MINUTES)."""
    return jobs.scan_all().as_dict()


@shared_task(acks_late=True, ignore_result=True)
@recorded
def evaluate_pending():
    """Evaluate the athletes whose data changed since the last run (started about a second
    after a commit by monitoring.services, and every minute by Celery beat as a sweep)."""
    return jobs.evaluate_pending().as_dict()


@shared_task(acks_late=True, ignore_result=True)
def evaluate_athlete(athlete_id: int):
    """Evaluate one athlete. No longer sent by the app (see evaluate_pending); kept so that
    messages queued by an earlier release are still consumed."""
    return jobs.scan_all(athlete_ids=[athlete_id]).as_dict()
