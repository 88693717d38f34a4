"""Celery tasks: thin wrappers around rehab services."""

from celery import shared_task

from monitoring.job_runs import recorded

from . import gate_summary


@shared_task(acks_late=True, ignore_result=True)
@recorded
def refresh_gate_summaries():
    """Store the gate summary of every plan whose evidence changed (Celery beat, every minute)."""
    return gate_summary.refresh_stale()
