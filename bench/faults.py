"""Fault tests (a script, not CI): a Celery worker killed mid-scan, PostgreSQL restarted
under check-in load.

    .venv/bin/python bench/faults.py                    # both parts
    .venv/bin/python bench/faults.py --only worker      # or: --only postgres
    .venv/bin/python bench/faults.py --pg-mode isolated # outage of our database only

Uses a throwaway database (sb_faults) and Redis db 13.

Part 1 — worker killed: FAULTS_ATHLETES (default 10,000) athletes × 30 days of check-ins
(every 25th with pain ≥ 3 for three days, every 33rd silent for five days). A Celery worker
runs the full scan; as soon as the first flags are written it gets `kill -9` (its whole
process group). A new worker is started. With a short visibility timeout the broker hands
the unacknowledged scan to it again; then one more scan runs. Checks: the flags are
complete (every painful athlete has a pain flag, every silent one a missed-check-in flag),
none is duplicated, every flag notified its two staff exactly once in the app, and e-mails
are never sent twice.

Part 2 — PostgreSQL restart: gunicorn (4 workers) and FAULTS_CLIENTS (default 40) clients
posting check-ins with an Idempotency-Key; a client that gets a 503 or loses its connection
retries the same body under the same key, as the phone app does. After 5 s:
`pg_ctlcluster --skip-systemctl-redirect 15 main restart` (the whole server: other users of
it lose their connections for a moment), or with --pg-mode isolated only our database is cut
off (connections refused and existing ones terminated for 3 s). Checks: no 500, no
traceback in any response, outage answers are 503 with Retry-After, and every accepted
check-in is stored exactly once.
"""

import argparse
import collections
import email
import email.header
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from common import recreate_database  # noqa: E402 (bench/ is on sys.path as the script's folder)

DB_URL = os.environ.get("FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_faults")
BROKER = os.environ.get("FAULTS_BROKER_URL", "redis://127.0.0.1:6379/13")
ATHLETES = int(os.environ.get("FAULTS_ATHLETES", 10_000))
DAYS = 30
CLIENTS = int(os.environ.get("FAULTS_CLIENTS", 40))
PORT = int(os.environ.get("FAULTS_PORT", 8072))
VISIBILITY = int(os.environ.get("FAULTS_VISIBILITY_TIMEOUT", 15))
MAIL_DIR = Path(tempfile.mkdtemp(prefix="sb-faults-mail-"))
LOG_DIR = Path(tempfile.mkdtemp(prefix="sb-faults-logs-"))
ENV = {
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "faults-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",  # plain HTTP on localhost
    "THROTTLE_USER": "1000000/min",
    "CELERY_BROKER_URL": BROKER,
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
    "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    "EMAIL_FILE_PATH": str(MAIL_DIR),
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    "CONN_MAX_AGE": "60",
}
VENV_BIN = ROOT / ".venv" / "bin"


def say(text):
    print(time.strftime("%H:%M:%S"), text, flush=True)


# --- setup -----------------------------------------------------------------------------------


def setup_database():
    recreate_database(DB_URL)
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    flush_broker()


def flush_broker():
    broker = urlparse(BROKER)
    subprocess.run(
        ["redis-cli", "-h", broker.hostname or "127.0.0.1", "-n", broker.path.lstrip("/") or "0"]
        + ["flushdb"],
        capture_output=True,
        check=True,
    )


def build_scan_data():
    """ATHLETES athletes in one team with a coach and a clinician (both with e-mail)."""
    from django.db import connection
    from django.utils import timezone

    from athletes.models import Athlete, Injury, Role, Team
    from rehab.models import Plan, Protocol
    from tests.factories import staff

    now = timezone.now()
    local = timezone.localtime(now)
    spread = max(1, local.hour * 60 + local.minute)
    team = Team.objects.create(name="Faults", slug="faults")
    staff(team, Role.COACH, username="faults-coach", email="coach@example.org")
    staff(team, Role.CLINICIAN, username="faults-clinician", email="clinician@example.org")
    protocol = Protocol.objects.get(team=None, is_template=True, muscle_group="hamstring")
    phases = list(protocol.phases.order_by("order"))
    athletes = Athlete.objects.bulk_create(
        [Athlete(team=team, first_name=f"F{i}", last_name="Fault") for i in range(ATHLETES)],
        batch_size=2000,
    )
    injuries = Injury.objects.bulk_create(
        [
            Injury(
                athlete=a,
                muscle_group="hamstring",
                side="left",
                grade=2,
                mechanism="other",
                occurred_on=(now - timedelta(days=DAYS + 2)).date(),
            )
            for a in athletes
        ],
        batch_size=2000,
    )
    Plan.objects.bulk_create(
        [
            Plan(
                athlete=a,
                injury=inj,
                protocol=protocol,
                current_phase=phases[1],
                started_at=now - timedelta(days=DAYS),
                phase_entered_at=now - timedelta(days=7),
            )
            for a, inj in zip(athletes, injuries, strict=True)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO monitoring_checkin
              (athlete_id, taken_at, local_date, pain_rest, pain_activity, pain_morning,
               pain_location, note, sleep_hours, sleep_quality, confidence, readiness,
               void_reason, created_at, updated_at)
            SELECT a.id, t.ts, (t.ts AT TIME ZONE 'Europe/London')::date,
                   CASE WHEN a.id %% 25 = 0 AND t.d < 3 THEN 3 ELSE 0 END,
                   CASE WHEN a.id %% 25 = 0 AND t.d < 3 THEN 4 ELSE 1 END,
                   CASE WHEN a.id %% 25 = 0 AND t.d < 3 THEN 3 ELSE 0 END,
                   '', '', 7.5, 7, 7, 7, '', now(), now()
            FROM athletes_athlete a
            CROSS JOIN LATERAL (
                SELECT d, %(now)s::timestamptz - make_interval(days => d::int)
                       - make_interval(mins => ((a.id * 7 + d) %% %(spread)s)::int) AS ts
                FROM generate_series(0, %(days)s - 1) AS d
            ) t
            WHERE a.team_id = %(team)s AND NOT (a.id %% 33 = 0 AND t.d < 5)
            """,
            {"now": now, "days": DAYS, "spread": spread, "team": team.pk},
        )
    return team


# --- processes -------------------------------------------------------------------------------


class Worker:
    """A Celery worker in its own process group (so kill -9 reaches its pool children)."""

    def __init__(self, name):
        self.log_path = LOG_DIR / f"{name}.log"
        self.process = subprocess.Popen(
            [str(VENV_BIN / "celery"), "-A", "config", "worker", "--concurrency=2"]
            + ["--loglevel=INFO", "-n", f"{name}@%h", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env={**os.environ, **ENV},
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log():
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker did not start:\n{self.log()[-2000:]}")

    def succeeded(self):
        return len(re.findall(r"scan_all_athletes\[[^\]]+\] succeeded", self.log()))

    def kill9(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def wait_for(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


# --- part 1: worker killed mid-scan ----------------------------------------------------------


def emails_sent():
    """(recipient, subject) of every e-mail the file backend wrote."""
    sent = []
    for path in MAIL_DIR.glob("*.log"):
        for chunk in path.read_text(errors="replace").split("-" * 79 + "\n"):
            if chunk.strip():
                message = email.message_from_string(chunk)
                subject = str(
                    email.header.make_header(email.header.decode_header(message["Subject"]))
                )
                sent.append((message["To"], subject))
    return sent


def part_worker(team):
    from django.db import connection
    from django.db.models import Count

    from athletes.models import Athlete
    from monitoring.models import Flag, FlagKind, Notification
    from rehab.tasks import scan_all_athletes

    ids = list(Athlete.objects.filter(team=team).values_list("pk", flat=True))
    silent = {pk for pk in ids if pk % 33 == 0}
    # A silent athlete has no recent reports, so no pain episode to flag.
    painful = {pk for pk in ids if pk % 25 == 0} - silent
    say(f"part 1: {len(ids)} athletes × {DAYS} days; expect {len(painful)} pain flags, "
        f"{len(silent)} missed-check-in flags")  # fmt: skip

    first = Worker("faults-a")
    first.wait_ready()
    started = time.monotonic()
    scan_all_athletes.delay()
    if not wait_for(lambda: Flag.objects.exists(), timeout=120, step=0.02):
        raise RuntimeError("the scan wrote no flag in 120 s")
    first.kill9()
    connection.close()
    at_kill = Flag.objects.count()
    notified_at_kill = Notification.objects.count()
    say(f"kill -9 worker {time.monotonic() - started:.1f} s after enqueue: {at_kill} flags and "
        f"{notified_at_kill} notifications written so far; scan finished before the kill: "
        f"{bool(first.succeeded())}")  # fmt: skip

    # kombu hands out an unacknowledged message again once it is older than the visibility
    # timeout, checked when a worker starts polling (and rarely after): a supervisor that
    # restarts the worker after that long sees the scan redelivered at once.
    time.sleep(VISIBILITY + 1)
    second = Worker("faults-b")
    second.wait_ready()
    restarted = time.monotonic()
    redelivered = wait_for(lambda: second.succeeded() >= 1, timeout=90, step=0.5)
    if redelivered:
        say(f"the unacknowledged scan was redelivered to the new worker and finished "
            f"{time.monotonic() - restarted:.1f} s after its start "
            f"(visibility timeout {VISIBILITY} s)")  # fmt: skip
    else:
        say("no redelivery seen; enqueuing the next scan as beat would")
        scan_all_athletes.delay()
        wait_for(lambda: second.succeeded() >= 1, timeout=120, step=0.5)
    after_recovery = Flag.objects.count()
    scan_all_athletes.delay()  # and one more: a re-run must change nothing
    wait_for(lambda: second.succeeded() >= 2, timeout=120, step=0.5)

    by_kind = collections.defaultdict(set)
    for athlete_id, kind in Flag.objects.values_list("athlete_id", "kind"):
        by_kind[kind].add(athlete_id)
    duplicates = (
        Flag.objects.unresolved()
        .values("athlete_id", "kind")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    per_flag = collections.Counter(Notification.objects.values_list("flag_id", flat=True))
    flags = Flag.objects.count()
    wrong_notifications = sum(
        1 for f in Flag.objects.values_list("pk", flat=True) if per_flag[f] != 2
    )
    mails = emails_sent()
    mail_dupes = sum(n - 1 for n in collections.Counter(mails).values() if n > 1)
    emailed = Notification.objects.exclude(emailed_at=None).count()
    checks = {
        "every painful athlete has a pain flag": painful <= by_kind[FlagKind.PAIN_PERSISTING],
        "no pain flag without pain": by_kind[FlagKind.PAIN_PERSISTING] <= painful,
        "every silent athlete has a missed-check-in flag": silent
        <= by_kind[FlagKind.MISSED_CHECKINS],
        "no duplicate open flag": duplicates == 0,
        "re-run after recovery opened nothing": Flag.objects.count() == after_recovery,
        "each flag notified its 2 staff exactly once": wrong_notifications == 0,
        "no e-mail sent twice": mail_dupes == 0,
    }
    say(f"flags {flags} (pain {len(by_kind[FlagKind.PAIN_PERSISTING])}, missed "
        f"{len(by_kind[FlagKind.MISSED_CHECKINS])}, regression "
        f"{len(by_kind[FlagKind.METRIC_REGRESSION])}); notifications {sum(per_flag.values())}; "
        f"e-mails sent {len(mails)} (claimed {emailed}; a claim whose worker died before "
        f"sending is not re-sent: {emailed - len(mails)})")  # fmt: skip
    for name, ok in checks.items():
        say(f"  {'OK  ' if ok else 'FAIL'} {name}")
    second.stop()
    return all(checks.values())


# --- part 2: PostgreSQL restarted under check-in load ----------------------------------------


def part_postgres(mode):
    from django.db import connection
    from django.utils import timezone

    from athletes.models import Team
    from athletes.tokens import issue_token
    from monitoring.models import CheckIn
    from tests.factories import athlete_with_login

    team = Team.objects.create(name="Load", slug="faults-load")
    clients = []
    for _ in range(CLIENTS):
        athlete = athlete_with_login(team)
        clients.append((athlete.pk, issue_token(athlete.user, name="bench client")[1]))
    worker = Worker("faults-c")  # the on-commit evaluations need somewhere to run
    gunicorn_log = LOG_DIR / "gunicorn.log"
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "--config", "config/gunicorn.py"]
        + ["--bind", f"127.0.0.1:{PORT}", "--workers", "4"],
        cwd=ROOT,
        env={**os.environ, **ENV},
        stdout=gunicorn_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    stop = threading.Event()
    lock = threading.Lock()
    statuses = collections.Counter()
    accepted = {}  # id → (athlete, taken_at)
    problems = []  # (status, body) of anything that is neither 201 nor a clean 503
    retries = collections.Counter()
    now = timezone.now()

    def client(athlete_id, token):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        day = 1
        while not stop.is_set():
            taken_at = (now - timedelta(days=day)).isoformat()  # one per local day
            body = json.dumps(
                {
                    "athlete": athlete_id,
                    "pain_rest": 1,
                    "pain_activity": 2,
                    "pain_morning": 1,
                    "taken_at": taken_at,
                }  # fmt: skip
            )
            key = str(uuid.uuid4())
            for attempt in range(60):  # the same body and key until it is accepted
                headers = {
                    "Content-Type": "application/json",
                    "Authorization": f"Token {token}",
                    "Idempotency-Key": key,
                }
                try:
                    conn.request("POST", "/api/v1/checkins/", body, headers)
                    response = conn.getresponse()
                    text = response.read().decode(errors="replace")
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status, text = 0, ""
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                with lock:
                    statuses[status] += 1
                    if attempt:
                        retries[athlete_id] += 1
                    if status == 201:
                        accepted[json.loads(text)["id"]] = (athlete_id, taken_at)
                    elif (
                        status == 503
                        and ("Traceback" in text or not response.getheader("Retry-After"))
                        or status not in (0, 201, 503)
                    ):
                        problems.append((status, text[:300]))
                if status == 201:
                    break
                if status not in (0, 503):
                    break
                time.sleep(0.3)
            day += 1

    try:
        wait_for(lambda: _healthz_ok(), timeout=30, step=0.2)
        threads = [threading.Thread(target=client, args=c) for c in clients]
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(5)
        before = dict(statuses)
        fault_started = time.monotonic()
        if mode == "restart":
            say("pg_ctlcluster --skip-systemctl-redirect 15 main restart")
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"], check=True
            )
        else:
            isolate_database(seconds=3)
        outage = time.monotonic() - fault_started
        say(f"fault over after {outage:.1f} s; load continues 10 s")
        time.sleep(10)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        worker.stop()

    connection.close()
    stored = CheckIn.objects.filter(athlete__team=team)
    stored_ids = set(stored.values_list("pk", flat=True))
    pairs = collections.Counter(
        (a, t.isoformat()) for a, t in stored.values_list("athlete_id", "taken_at")
    )
    lost = [pk for pk in accepted if pk not in stored_ids]
    double = sum(n - 1 for n in pairs.values() if n > 1)
    gunicorn_text = gunicorn_log.read_text(errors="replace")
    total = sum(statuses.values())
    say(f"{CLIENTS} clients, {elapsed:.0f} s, {total} requests ({total / elapsed:.0f}/s): "
        f"statuses {dict(sorted(statuses.items()))} (0 = connection error); before the fault "
        f"{dict(sorted(before.items()))}")  # fmt: skip
    say(f"accepted {len(accepted)}, stored {len(stored_ids)}, lost {len(lost)}, "
        f"stored twice {double}, requests retried {sum(retries.values())}")  # fmt: skip
    checks = {
        "no 500 (or other unexpected status)": not problems and statuses[500] == 0,
        "outage answered 503 with Retry-After, no traceback": not problems,
        "every accepted check-in stored": not lost,
        "nothing stored twice": double == 0 and len(stored_ids) == len(accepted),
        "the server logged the outage as JSON lines": '"level": "ERROR"' in gunicorn_text
        or statuses[503] == 0,
    }
    for status, text in problems[:5]:
        say(f"  unexpected {status}: {text}")
    for name, ok in checks.items():
        say(f"  {'OK  ' if ok else 'FAIL'} {name}")
    return all(checks.values())


def _healthz_ok():
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def isolate_database(seconds):
    """Refuse new connections to our database and end the existing ones, for `seconds`."""
    import psycopg

    parsed = urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        say(f"database {name}: refusing connections and terminating sessions for {seconds} s")
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            time.sleep(0.2)
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["worker", "postgres"])
    parser.add_argument("--pg-mode", choices=["restart", "isolated"], default="restart")
    args = parser.parse_args()
    setup_database()
    ok = True
    if args.only in (None, "worker"):
        say("building data…")
        team = build_scan_data()
        ok &= part_worker(team)
    if args.only in (None, "postgres"):
        ok &= part_postgres(args.pg_mode)
    flush_broker()
    say(f"logs: {LOG_DIR}")
    say("ALL CHECKS PASSED" if ok else "SOME CHECKS FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
