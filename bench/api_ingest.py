"""Benchmark: check-in ingestion through the API under gunicorn on PostgreSQL.

    .venv/bin/python bench/api_ingest.py            # 50 clients, 30 s per target

Creates a throwaway database (sb_bench_api), 50 athletes each with an API token, starts
gunicorn, and for 30 s has 50 concurrent clients (keep-alive connections, one athlete
each) POST check-ins to /api/v1/checkins/ — with an Idempotency-Key, as a phone would.
Each request is a different past day, so every one should be stored. Then the same load
against a bare Django view that parses the JSON and does one INSERT. Prints requests/s,
latency percentiles, errors, rows stored vs 201 responses, the CPU each request cost the
gunicorn workers, PostgreSQL and the load generator, and the ratio.

The 30 s per target run as BENCH_ROUNDS (3) alternating rounds of 10 s, API then bare: this
VM's speed drifts by 10–20 % over minutes, and alternating keeps the drift out of the ratio
(each round's ratio is printed too).
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from common import recreate_database  # noqa: E402 (bench/ is on sys.path as the script's folder)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_bench_api")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 50))
SECONDS = float(os.environ.get("BENCH_SECONDS", 30))
PORT = int(os.environ.get("BENCH_PORT", 8777))
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
TICKS = os.sysconf("SC_CLK_TCK")
ENV = {
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",  # plain HTTP on localhost
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "THROTTLE_USER": "1000000/min",
    "SPRINTBACK_BENCH": "true",
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "600",
}


def setup():
    recreate_database(DB_URL)
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from athletes.tokens import issue_token
    from tests.factories import TeamFactory, athlete_with_login

    team = TeamFactory()
    clients = []
    for _ in range(CLIENTS):
        athlete = athlete_with_login(team)
        clients.append((athlete.pk, issue_token(athlete.user, name="bench client")[1]))
    return clients


def load(path, clients, *, idempotent, seconds=None, first_day=1):
    from django.utils import timezone

    stop_at = time.monotonic() + (seconds or SECONDS)
    results = []  # (status, seconds)
    lock = threading.Lock()
    now = timezone.now()

    def client(athlete_id, token):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine, day = [], first_day
        while time.monotonic() < stop_at:
            body = json.dumps(
                {
                    "athlete": athlete_id,
                    "pain_rest": 1,
                    "pain_activity": 2,
                    "pain_morning": 1,
                    "taken_at": (now - timedelta(days=day)).isoformat(),
                }
            )
            headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
            if idempotent:
                headers["Idempotency-Key"] = str(uuid.uuid4())
            started = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except Exception:
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            mine.append((status, time.perf_counter() - started))
            day += 1
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=c) for c in clients]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - started


def report(label, results, elapsed, stored, cpu):
    latencies = sorted(seconds for _, seconds in results)
    created = sum(1 for status, _ in results if status == 201)
    errors = len(results) - created
    q = statistics.quantiles(latencies, n=100)
    rps = len(results) / elapsed
    print(
        f"{label:<22} {rps:>8.0f} req/s  p50 {1000 * q[49]:6.1f} ms  p95 {1000 * q[94]:6.1f} ms  "
        f"p99 {1000 * q[98]:6.1f} ms  errors {errors}  201s {created}  rows stored {stored}"
        f"  {'OK' if stored == created else 'MISMATCH'}"
    )
    per_request = {name: 1000 * seconds / len(results) for name, seconds in cpu.items()}
    print(
        f"{'':<22} CPU per request: gunicorn workers {per_request['workers']:.2f} ms, "
        f"PostgreSQL {per_request['postgres']:.2f} ms, load generator {per_request['client']:.2f} ms"
    )
    return rps


def _cpu_seconds(pids) -> float:
    """User + system CPU of these processes so far (from /proc; gone processes count 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError):
            pass
    return total / TICKS


def _processes():
    """(pid, parent pid, name) of every process."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    head, tail = stat.read().rsplit(")", 1)
                yield int(entry), int(tail.split()[1]), head.split("(", 1)[1]
            except (OSError, IndexError):
                pass


def cpu_counters(server_pid):
    processes = list(_processes())
    workers = [pid for pid, parent, _ in processes if parent == server_pid]
    postgres = [pid for pid, _, name in processes if name.startswith("postgres")]
    client = os.times()
    return {
        "workers": _cpu_seconds(workers),
        "postgres": _cpu_seconds(postgres),
        "client": client.user + client.system,
    }


def measure(server_pid, path, clients, *, idempotent, seconds, first_day):
    before = cpu_counters(server_pid)
    results, elapsed = load(
        path, clients, idempotent=idempotent, seconds=seconds, first_day=first_day
    )
    after = cpu_counters(server_pid)
    return results, elapsed, {name: after[name] - before[name] for name in before}


def days_apart() -> int:
    """Each round and each warm-up posts its own run of past days, counting back from its
    start: they share out the days since the earliest a check-in may be taken
    (core/plausibility.py), so none is refused whatever BENCH_ROUNDS. A client posts
    about 200 days in a 10-second round; each run has over 1,900 days with 3 rounds."""
    from django.utils import timezone

    from core.plausibility import EARLIEST_LOG_DATE

    return ((timezone.localdate() - EARLIEST_LOG_DATE).days - 1) // (ROUNDS + 2)


def main():
    clients = setup()
    from monitoring.models import CheckIn

    apart = days_apart()

    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ],
        cwd=ROOT,
        env={**os.environ, **ENV},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"{CLIENTS} clients × {SECONDS:.0f} s per target ({ROUNDS} alternating rounds), "
            f"gunicorn {WORKERS} sync workers, {os.cpu_count()} cores, PostgreSQL"
        )
        # Warm-up (not counted): each gunicorn worker's first request opens its database and
        # broker connections and loads the Celery app, about a second.
        load("/api/v1/checkins/", clients, idempotent=True, seconds=3, first_day=1 + apart * ROUNDS)
        load(
            "/bench/bare-checkin/",
            clients,
            idempotent=False,
            seconds=2,
            first_day=1 + apart * (ROUNDS + 1),
        )
        CheckIn.objects.all().delete()
        targets = {
            "API /api/v1/checkins/": ("/api/v1/checkins/", True),
            "bare view, 1 INSERT": ("/bench/bare-checkin/", False),
        }
        totals = {label: ([], 0.0, {}, 0) for label in targets}
        for round_ in range(ROUNDS):
            line = []
            for label, (path, idempotent) in targets.items():
                results, elapsed, cpu = measure(
                    server.pid,
                    path,
                    clients,
                    idempotent=idempotent,
                    seconds=SECONDS / ROUNDS,
                    first_day=1 + apart * round_,
                )
                stored = CheckIn.objects.count()
                CheckIn.objects.all().delete()
                all_results, all_elapsed, all_cpu, all_stored = totals[label]
                totals[label] = (
                    all_results + results,
                    all_elapsed + elapsed,
                    {k: all_cpu.get(k, 0) + v for k, v in cpu.items()},
                    all_stored + stored,
                )
                line.append(len(results) / elapsed)
            print(
                f"round {round_ + 1}: {line[0]:.0f} vs {line[1]:.0f} req/s ({100 * line[0] / line[1]:.0f} %)"
            )
        rates = [
            report(label, results, elapsed, stored, cpu)
            for label, (results, elapsed, cpu, stored) in totals.items()
        ]
        print(
            f"ratio: the check-in endpoint runs at {100 * rates[0] / rates[1]:.0f} % "
            "of the bare view's throughput"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
        # The evaluation tasks queued by the API run (no worker was listening).
        broker = urlparse(ENV["CELERY_BROKER_URL"])
        if broker.scheme == "redis":
            subprocess.run(
                [
                    "redis-cli",
                    "-h",
                    broker.hostname or "127.0.0.1",
                    "-n",
                    broker.path.lstrip("/") or "0",
                    "flushdb",
                ],
                capture_output=True,
            )


if __name__ == "__main__":
    main()
