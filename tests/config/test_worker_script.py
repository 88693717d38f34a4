"""`make run`'s Celery worker with embedded beat (scripts/worker.sh, which scripts/run.sh
starts) sends its first scheduled task, and a worker runs it: against Redis, the README's
PostgreSQL/Redis path, and on the default file-system broker.

Beat used to die at start on Redis: its schedule file's folder was made only for the
file-system broker. Each run here gets a fresh folder for everything file-based."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu import Connection

from monitoring.models import JobRun
from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of its own, away from the low numbers CI and developers use (CI: 14): no
# other worker consumes what this beat sends to the default queue.
REDIS_URL = "redis://127.0.0.1:6379/15"
BROKERS = {"redis": REDIS_URL, "filesystem": "filesystem://"}
SWEEP = "rehab.tasks.evaluate_pending"

pytestmark = [pytest.mark.broker]


def redis_reachable() -> bool:
    try:
        with Connection(REDIS_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker_script(tmp_path):
    """Start scripts/worker.sh in a process group of its own (worker and beat processes);
    the whole group is stopped on exit, whatever the test did."""
    started = []

    def start(broker_url, files: Path) -> Path:
        log_path = tmp_path / "worker.log"
        env = {
            **os.environ,
            "VENV": sys.prefix,  # the virtualenv running this test
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_BROKER_DIR": str(files / "broker"),
            "CELERY_BEAT_DIR": str(files / "beat"),
            # Beat's first tick of the every-minute sweep would be up to 60 s away.
            "MONITORING_SWEEP_SECONDS": "2",
        }
        with open(log_path, "w") as log:
            started.append(
                subprocess.Popen(
                    ["bash", str(ROOT / "scripts" / "worker.sh")],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        return log_path

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        # Whatever is left of the group (beat runs in a child process of the worker).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("broker", sorted(BROKERS))
def test_make_runs_worker_starts_beat_which_sends_its_first_task(worker_script, tmp_path, broker):
    if broker == "redis":
        if not redis_reachable():
            pytest.skip(f"no Redis reachable at {REDIS_URL}")
        # Start from an empty database: messages an earlier run (or another checkout with
        # other task names) left behind would be consumed by this worker.
        with Connection(REDIS_URL) as conn:
            conn.default_channel.client.flushdb()
    files = tmp_path / "files"
    assert not files.exists()
    started = time.monotonic()

    log = worker_script(BROKERS[broker], files)

    # The sweep's line: a task due on the minute (the reminders) may come first.
    sent = lambda: re.search(rf"Sending due task .*{SWEEP}", log.read_text())  # noqa: E731
    assert wait_for(sent, seconds=20), f"beat sent no sweep:\n{log.read_text()[-3000:]}"
    print(sent().group(0))
    text = log.read_text()
    assert "beat: Starting" in text and "ERROR/" not in text and "Traceback" not in text
    assert list((files / "beat").glob("celerybeat-schedule*"))
    assert (files / "broker").exists() == (broker == "filesystem")
    ran = lambda: JobRun.objects.filter(name=SWEEP, completed_at__isnull=False).exists()  # noqa: E731
    assert wait_for(ran, seconds=10), f"no worker ran it:\n{log.read_text()[-3000:]}"
    assert time.monotonic() - started < 25
