"""Celery tasks: thin wrappers around monitoring.jobs."""

from celery import shared_task

from . import jobs


@shared_task(acks_late=True, ignore_result=True)
def scan_all_athletes():
    """Evaluate every athlete in an active plan (Celery beat, every 15 minutes)."""
    return jobs.scan_all().as_dict()


@shared_task(acks_late=True, ignore_result=True)
def evaluate_athlete(athlete_id: int):
    """Evaluate one athlete right after new data for them was committed."""
    return jobs.scan_all(athlete_ids=[athlete_id]).as_dict()
