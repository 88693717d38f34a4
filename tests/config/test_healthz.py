import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from config.celery import app
from monitoring.models import JobRun
from portal import views
from rehab.tasks import scan_all_athletes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STARTED = views.WEB_STARTED_AT
LATER = (STARTED + dt.timedelta(hours=2)).replace(microsecond=250_000)  # JSON keeps ms
INTERVALS = dt.timedelta(minutes=3 * 15)  # three MONITORING_SCAN_MINUTES


def healthz(client, at):
    with time_machine.travel(at, tick=False):
        return client.get("/healthz")


def scan_completed_at(at):
    with time_machine.travel(at, tick=False):
        scan_all_athletes.delay()


def test_healthz_reports_database_broker_and_scans(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "scans": "ok",
        "last_scan_completed_at": None,
    }


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    real = app.connection_for_write
    monkeypatch.setattr(app, "connection_for_write", lambda *a, **k: real("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["scans"] == "unknown"


def test_healthz_reports_when_the_last_scheduled_scan_completed(client):
    scanned = LATER
    scan_completed_at(scanned)

    response = healthz(client, scanned + dt.timedelta(minutes=10))

    assert response.status_code == 200, response.json()
    assert response.json()["scans"] == "ok"
    assert dt.datetime.fromisoformat(response.json()["last_scan_completed_at"]) == scanned


def test_healthz_is_503_when_no_scan_completed_within_three_scan_intervals(client):
    scanned = LATER
    scan_completed_at(scanned)

    on_time = healthz(client, scanned + INTERVALS)
    late = healthz(client, scanned + INTERVALS + dt.timedelta(seconds=1))

    assert on_time.status_code == 200 and on_time.json()["scans"] == "ok"
    assert late.status_code == 503
    assert late.json()["status"] == "unavailable" and late.json()["scans"] == "late"
    assert late.json()["database"] == late.json()["broker"] == "ok"
    assert dt.datetime.fromisoformat(late.json()["last_scan_completed_at"]) == scanned


def test_a_server_up_for_less_than_three_scan_intervals_is_not_late_for_a_scan(client):
    """A fresh deploy: no scan has completed since it started, and none could have yet."""
    JobRun.objects.create(
        name="rehab.tasks.scan_all_athletes",
        completed_at=STARTED - dt.timedelta(days=1),  # from before the deploy
    )

    fresh = healthz(client, STARTED + INTERVALS)
    late = healthz(client, STARTED + INTERVALS + dt.timedelta(seconds=1))

    assert fresh.status_code == 200 and fresh.json()["scans"] == "ok"
    assert late.status_code == 503 and late.json()["scans"] == "late"


def test_a_server_that_never_saw_a_scan_is_late_after_three_scan_intervals(client):
    response = healthz(client, STARTED + INTERVALS + dt.timedelta(minutes=1))
    assert response.status_code == 503
    assert response.json()["scans"] == "late"
    assert response.json()["last_scan_completed_at"] is None


def test_the_start_counts_from_gunicorns_master_not_from_a_recycled_worker(monkeypatch):
    """gunicorn replaces a worker after max_requests: the new one must not restart the grace
    period, or /healthz would never call scans late on a busy server."""
    environment = {k: v for k, v in os.environ.items() if k != "SPRINTBACK_WEB_STARTED_AT"}
    master = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, runpy; runpy.run_path('config/gunicorn.py'); "
            "print(os.environ['SPRINTBACK_WEB_STARTED_AT'])",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert master.returncode == 0, master.stderr
    set_by_master = float(master.stdout)
    assert abs(set_by_master - time.time()) < 30

    monkeypatch.setenv("SPRINTBACK_WEB_STARTED_AT", str(set_by_master))
    assert views._web_started_at() == dt.datetime.fromtimestamp(set_by_master, tz=dt.UTC)
    monkeypatch.delenv("SPRINTBACK_WEB_STARTED_AT")
    assert views._web_started_at() > dt.datetime.fromtimestamp(set_by_master, tz=dt.UTC)
