"""Celery tasks: thin wrappers around the monitoring scan and the change queue's consumer.
The beat-scheduled ones record their runs (monitoring.job_runs) for /healthz."""

from celery import shared_task

from monitoring.job_runs import recorded

from . import evaluation, reminders, scan


@shared_task(acks_late=True, ignore_result=True)
@recorded
def scan_all_athletes():
    """Evaluate every athlete in an active plan (Celery beat, every MONITORING_SCAN_MINUTES):
    the safety net under the change queue, and the rules that turn with time alone (48 h of
    pain, days without a check-in)."""
    return scan.scan_all().as_dict()


@shared_task(acks_late=True, ignore_result=True)
@recorded
def evaluate_pending():
    """Evaluate the athletes whose evidence changed (woken about a second after a commit by
    athletes.evaluation, and every minute by Celery beat as a sweep)."""
    return evaluation.evaluate_pending().as_dict()


@shared_task(acks_late=True, ignore_result=True)
@recorded
def send_checkin_reminders():
    """Send the check-in reminders that are due (Celery beat, every minute): each athlete at
    most once a local day, at the time they chose (rehab.reminders)."""
    return reminders.send_due_reminders()
