"""Soak test (a script, not CI): the production shape under a steady mixed load.

    .venv/bin/python bench/soak.py                  # 5 minutes
    SOAK_SECONDS=120 .venv/bin/python bench/soak.py

gunicorn (config/gunicorn.py, SOAK_WORKERS=4) on PostgreSQL (throwaway sb_soak), Redis db 13
as broker and cache, one Celery worker (the evaluations each check-in queues). Load:
SOAK_ATHLETES (100) athletes with API tokens each POST a check-in (a new past day every
time, with an Idempotency-Key, retried under the same key on 503 or a lost connection)
then think SOAK_THINK seconds (mean 1.0); SOAK_COACHES (10) coaches signed in through the
sign-in page browse the roster, a search and an athlete page, thinking 2 s between pages.

Prints per kind: requests, throughput, p50/p95/p99, errors; then verifies every accepted
check-in is stored exactly once and the worker kept up with the evaluations.
"""

import collections
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from common import recreate_database  # noqa: E402 (bench/ is on sys.path as the script's folder)

DB_URL = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_soak")
BROKER = os.environ.get("SOAK_BROKER_URL", "redis://127.0.0.1:6379/13")
SECONDS = float(os.environ.get("SOAK_SECONDS", 300))
ATHLETES = int(os.environ.get("SOAK_ATHLETES", 100))
COACHES = int(os.environ.get("SOAK_COACHES", 10))
THINK = float(os.environ.get("SOAK_THINK", 1.0))
PORT = int(os.environ.get("SOAK_PORT", 8073))
WORKERS = os.environ.get("SOAK_WORKERS", "4")
LOG_DIR = Path(tempfile.mkdtemp(prefix="sb-soak-"))
ENV = {
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "soak-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    # Plain HTTP on localhost: no HTTPS redirect, cookies without the Secure flag.
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "THROTTLE_USER": "1000000/min",
    "CELERY_BROKER_URL": BROKER,
    "CACHE_URL": BROKER,  # the same Redis db: cache keys are prefixed, Celery's are not
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "60",
    "WEB_CONCURRENCY": WORKERS,
}
VENV_BIN = ROOT / ".venv" / "bin"


def say(text):
    print(time.strftime("%H:%M:%S"), text, flush=True)


def redis_cli(*args, url=BROKER):
    broker = urlparse(url)
    return subprocess.run(
        ["redis-cli", "-h", broker.hostname or "127.0.0.1", "-n", broker.path.lstrip("/") or "0"]
        + list(args),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def setup():
    recreate_database(DB_URL)
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    redis_cli("flushdb")
    from athletes.models import Role, Team
    from athletes.tokens import issue_token
    from tests.factories import CheckInFactory, athlete_with_login, staff, start_plan

    team = Team.objects.create(name="Soak", slug="soak")
    coaches = [staff(team, Role.COACH, username=f"soak-coach-{i}") for i in range(COACHES)]
    athletes = []
    for i in range(ATHLETES):
        athlete = athlete_with_login(team, first_name=f"Soak{i}", last_name="Runner")
        start_plan(athlete, i % 5, by=coaches[0])
        CheckInFactory(athlete=athlete)  # today's: the load writes past days
        athletes.append((athlete.pk, issue_token(athlete.user, name="bench client")[1]))
    return team, athletes, [c.username for c in coaches]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = collections.defaultdict(list)
        self.status = collections.defaultdict(collections.Counter)

    def add(self, kind, status, seconds):
        with self.lock:
            self.latency[kind].append(seconds)
            self.status[kind][status] += 1


def athlete_loop(athlete_id, token, stop, stats, accepted, lock):
    from django.utils import timezone

    now = timezone.now()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    day = 1
    while not stop.is_set():
        body = json.dumps(
            {
                "athlete": athlete_id,
                "taken_at": (now - timedelta(days=day)).isoformat(),
                "pain_rest": random.randint(0, 3),
                "pain_activity": random.randint(0, 4),
                "pain_morning": random.randint(0, 3),
                "sleep_hours": 7.5,
                "confidence": 7,
            }
        )
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Token {token}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        for _ in range(20):
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/checkins/", body, headers)
                response = conn.getresponse()
                text = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status, text = 0, b""
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            stats.add("check-in POST", status, time.perf_counter() - started)
            if status == 201:
                with lock:
                    accepted.append(json.loads(text)["id"])
            if status not in (0, 503):
                break
            time.sleep(0.5)
        day += 1
        stop.wait(random.expovariate(1 / THINK) if THINK else 0)


def coach_loop(username, athlete_ids, stop, stats):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    cookies = {}

    def request(method, path, body=None, headers=None):
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    _, page = request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _ = request(
        "POST",
        "/accounts/login/",
        urlencode({"username": username, "password": "sprintback", "csrfmiddlewaretoken": token}),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302, f"coach sign-in failed: {status}"
    pages = [
        ("roster page", lambda: "/coach/"),
        ("roster search (htmx)", lambda: f"/coach/?q=soak{random.randint(0, 99)}"),
        ("athlete page", lambda: f"/coach/athletes/{random.choice(athlete_ids)}/"),
    ]
    while not stop.is_set():
        kind, path = random.choice(pages)
        headers = {"HX-Request": "true"} if "htmx" in kind else {}
        started = time.perf_counter()
        try:
            status, _ = request("GET", path(), headers=headers)
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        stats.add(kind, status, time.perf_counter() - started)
        stop.wait(random.expovariate(1 / 2.0))


def main():
    say(f"setting up {ATHLETES} athletes, {COACHES} coaches in {DB_URL.rsplit('/', 1)[1]}…")
    team, athletes, coaches = setup()
    from django.db import connection

    from monitoring.models import CheckIn

    baseline_rows = CheckIn.objects.filter(athlete__team=team).count()
    connection.close()
    env = {**os.environ, **ENV}
    worker_log = LOG_DIR / "worker.log"
    worker = subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "config", "worker", "--concurrency=2", "--loglevel=INFO"]
        + ["-n", "soak@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=worker_log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "--config", "config/gunicorn.py"]
        + ["--bind", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=(LOG_DIR / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    stats, stop, lock, accepted = Stats(), threading.Event(), threading.Lock(), []
    try:
        for _ in range(100):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        athlete_ids = [a for a, _ in athletes]
        threads = [
            threading.Thread(target=athlete_loop, args=(a, t, stop, stats, accepted, lock))
            for a, t in athletes
        ] + [
            threading.Thread(target=coach_loop, args=(c, athlete_ids, stop, stats)) for c in coaches
        ]
        say(f"load for {SECONDS:.0f} s: gunicorn {WORKERS} workers, 1 Celery worker (2 processes)")
        started = time.monotonic()
        for t in threads:
            t.start()
        while time.monotonic() - started < SECONDS:
            time.sleep(min(30, SECONDS - (time.monotonic() - started)))
            say(f"  {time.monotonic() - started:4.0f} s: {len(accepted)} check-ins accepted")
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        # Let the worker finish what the load queued, then read its log.
        backlog_deadline = time.monotonic() + 120
        while time.monotonic() < backlog_deadline and int(redis_cli("llen", "celery") or 0):
            time.sleep(1)
        backlog = int(redis_cli("llen", "celery") or 0)
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)

    print()
    print(f"{'kind':<22} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7}  statuses")  # fmt: skip
    for kind in sorted(stats.latency):
        latencies = sorted(stats.latency[kind])
        q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
        print(f"{kind:<22} {len(latencies):>8} {len(latencies) / elapsed:>7.1f} "
              f"{1000 * q[49]:>7.0f} {1000 * q[94]:>7.0f} {1000 * q[98]:>7.0f}  "
              f"{dict(sorted(stats.status[kind].items()))}")  # fmt: skip
    errors = sum(
        n for counter in stats.status.values() for status, n in counter.items() if status >= 400 or status == 0
    )  # fmt: skip
    rows = CheckIn.objects.filter(athlete__team=team)
    stored = rows.count() - baseline_rows
    stored_ids = set(rows.values_list("pk", flat=True))
    lost = [pk for pk in accepted if pk not in stored_ids]
    days = collections.Counter(rows.values_list("athlete_id", "local_date"))
    doubled = sum(n - 1 for n in days.values() if n > 1)
    log = worker_log.read_text(errors="replace")
    # Check-ins queue their athletes; one evaluate_pending run evaluates all queued so far.
    evaluated = len(re.findall(r"evaluate_(?:pending|athlete)\[[^\]]+\] succeeded", log))
    failed = len(re.findall(r"evaluate_(?:pending|athlete)\[[^\]]+\] raised", log))
    print()
    say(f"{elapsed:.0f} s; errors (4xx/5xx/connection) {errors}")
    say(f"check-ins: accepted {len(accepted)}, stored {stored}, lost {len(lost)}, "
        f"stored twice {doubled}  {'OK' if not lost and not doubled and stored == len(accepted) else 'MISMATCH'}")  # fmt: skip
    say(
        f"worker: {evaluated} evaluation runs done, {failed} failed, {backlog} still queued at the end"
    )
    say(f"logs: {LOG_DIR}")
    ok = not lost and not doubled and stored == len(accepted) and errors == 0 and failed == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
