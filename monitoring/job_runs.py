"""When each scheduled job last started and completed (JobRun, one row per job), so /healthz
can tell whether Celery beat and a worker are really running.

The beat-scheduled tasks are wrapped in @recorded; /healthz reads the full scan's row."""

import datetime as dt
import functools

from django.conf import settings
from django.utils import timezone

from .models import JobRun

# The job /healthz watches (its Celery task name): the full monitoring scan.
FULL_SCAN = "rehab.tasks.scan_all_athletes"
# No completed full scan for this many scan intervals means beat or every worker is down.
LATE_AFTER_INTERVALS = 3


def recorded(job):
    """Wrap a task function so each run stores, in the JobRun row named after the task (its
    Celery name, module.function), when it started and, if it returns, when it completed and
    what it returned (a dict). A run that raises leaves the last completion as it was."""
    name = f"{job.__module__}.{job.__name__}"

    @functools.wraps(job)
    def run(*args, **kwargs):
        started(name)
        report = job(*args, **kwargs)
        completed(name, report)
        return report

    return run


def started(name: str, *, now: dt.datetime | None = None) -> None:
    # One statement whether or not the row exists yet: two workers starting the same job
    # for the first time cannot collide on the unique name.
    JobRun.objects.bulk_create(
        [JobRun(name=name, started_at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["started_at"],
    )


def completed(name: str, report: dict | None, *, now: dt.datetime | None = None) -> None:
    JobRun.objects.filter(name=name).update(completed_at=now or timezone.now(), report=report or {})


def last_completed_at(name: str) -> dt.datetime | None:
    return JobRun.objects.filter(name=name).values_list("completed_at", flat=True).first()


def scans_late(last_completed: dt.datetime | None, *, up_since: dt.datetime, now=None) -> bool:
    """True when no full scan completed within the last LATE_AFTER_INTERVALS scan intervals,
    counting only from `up_since` (when the process asking started): a fresh deploy has not
    had the time to complete one yet."""
    now = now or timezone.now()
    window = LATE_AFTER_INTERVALS * dt.timedelta(minutes=settings.MONITORING_SCAN_MINUTES)
    return now - max(last_completed or up_since, up_since) > window
