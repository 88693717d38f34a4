"""A real Celery worker process against the configured broker (Redis in CI): a check-in
that should raise a flag does, with exactly one notification."""

import datetime as dt
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from athletes.models import Role
from config.celery import app
from monitoring.models import Flag, Notification
from monitoring.services import record_checkin
from tests.factories import AthleteFactory, CheckInFactory, TeamFactory, staff, start_plan
from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.broker]


def broker_reachable() -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        return True
    except Exception:
        return False


@pytest.fixture
def worker(tmp_path):
    if not broker_reachable():
        pytest.skip(f"no Celery broker reachable at {app.conf.broker_url}")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_BROKER_URL": app.conf.broker_url,
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield mail_dir
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_raises_the_flag_for_a_painful_checkin_and_notifies_once(worker):
    team = TeamFactory()
    coach = staff(team, Role.COACH)
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, phase_order=2)
    plan.started_at = timezone.now() - dt.timedelta(days=20)
    plan.save()
    now = timezone.now()
    for hours in (72, 48, 24):
        CheckInFactory(athlete=athlete, taken_at=now - dt.timedelta(hours=hours), pain_activity=4)

    record_checkin(athlete, by=None, values={"pain_rest": 2, "pain_activity": 5, "pain_morning": 4})

    assert wait_for(lambda: Notification.objects.filter(recipient=coach).exists()), (
        "the worker did not raise and notify the flag in time"
    )
    time.sleep(1.5)  # a duplicate would show up now
    flag = Flag.objects.get(athlete=athlete)
    assert flag.kind == "pain_persisting" and flag.notified_at is not None
    assert Notification.objects.filter(flag=flag).count() == 1
    assert wait_for(lambda: worker.exists() and len(list(worker.iterdir())) == 1, seconds=10)
    assert len(list(worker.iterdir())) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_checkins_is_evaluated_together_and_every_athlete_is_flagged(worker, tmp_path):
    from athletes.models import EvaluationRequest

    team = TeamFactory()
    staff(team, Role.COACH)
    athletes = []
    now = timezone.now()
    for _ in range(6):
        athlete = AthleteFactory(team=team)
        plan = start_plan(athlete, phase_order=2)
        plan.started_at = now - dt.timedelta(days=20)
        plan.save()
        for hours in (72, 48, 24):
            CheckInFactory(
                athlete=athlete, taken_at=now - dt.timedelta(hours=hours), pain_activity=4
            )
        athletes.append(athlete)

    started = time.monotonic()
    for athlete in athletes:  # each in its own transaction, as requests are
        values = {"pain_rest": 2, "pain_activity": 5, "pain_morning": 4}
        record_checkin(athlete, by=None, values=values)

    flagged = lambda: Flag.objects.filter(athlete__in=athletes).count() == len(athletes)  # noqa: E731
    assert wait_for(flagged, seconds=30), "not every athlete of the burst was evaluated"
    assert time.monotonic() - started < 15
    assert wait_for(lambda: not EvaluationRequest.objects.exists(), seconds=10)
    log = (tmp_path / "worker.log").read_text()
    # Every check-in wakes the consumer a second later; the first run finds the requests of
    # that second and evaluates them together, the later ones find the queue empty.
    evaluated = [
        int(n)
        for n in re.findall(r"evaluate_pending\[[^\]]+\] succeeded in \S+ \{'athletes': (\d+)", log)
    ]
    assert sum(evaluated) >= len(athletes), log[-2000:]
    assert 1 <= sum(1 for n in evaluated if n) < len(athletes), log[-2000:]  # batched
