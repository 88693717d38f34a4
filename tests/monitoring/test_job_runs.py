"""Every beat-scheduled task records when it last started and completed (JobRun), which
/healthz reads."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from monitoring.job_runs import FULL_SCAN
from monitoring.models import JobRun
from monitoring.tasks import send_notification_digests
from rehab import scan
from rehab.tasks import evaluate_pending, scan_all_athletes, send_checkin_reminders

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
RECORDED = {
    task.name: task
    for task in (
        scan_all_athletes,
        evaluate_pending,
        send_notification_digests,
        send_checkin_reminders,
    )
}


def test_the_recorded_tasks_are_exactly_the_scheduled_ones():
    """A task added to the beat schedule must be recorded too (wrap it in @recorded)."""
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} == set(RECORDED)
    assert settings.CELERY_BEAT_SCHEDULE["monitoring-full-scan"]["task"] == FULL_SCAN


@pytest.mark.parametrize("task_name", sorted(RECORDED))
def test_every_scheduled_task_records_its_run(task_name):
    with time_machine.travel(T0, tick=False):
        report = RECORDED[task_name].delay().get()

    run = JobRun.objects.get(name=task_name)
    assert run.started_at == run.completed_at == T0
    assert run.report == report and isinstance(report, dict)


def test_a_later_run_moves_both_times_and_keeps_one_row():
    for at in (T0, T0 + dt.timedelta(minutes=15)):
        with time_machine.travel(at, tick=False):
            scan_all_athletes.delay()

    run = JobRun.objects.get()
    assert run.started_at == run.completed_at == T0 + dt.timedelta(minutes=15)


def test_a_failed_run_records_its_start_and_keeps_the_last_completion(monkeypatch):
    with time_machine.travel(T0, tick=False):
        scan_all_athletes.delay()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(scan, "scan_all", broken)
    later = T0 + dt.timedelta(minutes=15)
    with time_machine.travel(later, tick=False), pytest.raises(RuntimeError):
        scan_all_athletes.delay()

    run = JobRun.objects.get(name=FULL_SCAN)
    assert run.started_at == later
    assert run.completed_at == T0
    assert run.report["athletes"] == 0
