"""Profile one check-in POST in process: the whole Django stack (middleware, DRF, service,
idempotency, task publish) on PostgreSQL, without gunicorn or a load generator.

    .venv/bin/python bench/profile_checkin.py          # PROFILE_N=2000 PROFILE_TOP=45

Creates a throwaway database (sb_bench_profile), one athlete with a token, posts N check-ins
(a different past day each, with an Idempotency-Key, as bench/api_ingest.py does) through
Django's test Client, and prints ms per request, queries per request, and the cProfile
functions sorted by cumulative time. The same for the bare comparison view, for scale.
"""

import cProfile
import json
import os
import pstats
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from api_ingest import ENV  # noqa: E402 (bench/ is on sys.path as the script's folder)
from common import recreate_database  # noqa: E402

DB_URL = os.environ.get(
    "PROFILE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_bench_profile"
)
N = int(os.environ.get("PROFILE_N", 2000))
TOP = int(os.environ.get("PROFILE_TOP", 45))


def main():
    recreate_database(DB_URL)
    os.environ.update({**ENV, "DATABASE_URL": DB_URL, "ALLOWED_HOSTS": "testserver"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from athletes.tokens import issue_token
    from tests.factories import TeamFactory, athlete_with_login

    call_command("migrate", verbosity=0)
    athlete = athlete_with_login(TeamFactory())
    token = issue_token(athlete.user, name="bench client")[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    now = timezone.now()
    day = iter(range(1, 10**6))

    def post(path, idempotent=True):
        body = {
            "athlete": athlete.pk,
            "pain_rest": 1,
            "pain_activity": 2,
            "pain_morning": 1,
            "taken_at": (now - timedelta(days=next(day))).isoformat(),
        }
        headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())} if idempotent else {}
        response = client.post(path, json.dumps(body), content_type="application/json", **headers)
        assert response.status_code == 201, (response.status_code, response.content)

    for _ in range(50):  # warm-up: connections, the Celery app, lazy imports
        post("/api/v1/checkins/")
        post("/bench/bare-checkin/", idempotent=False)
    with CaptureQueriesContext(connection) as queries:
        post("/api/v1/checkins/")
    print(f"queries per API POST: {len(queries)}")
    for q in queries:
        print("   ", q["sql"][:150])

    for label, path, idempotent in (
        ("bare view", "/bench/bare-checkin/", False),
        ("API /api/v1/checkins/", "/api/v1/checkins/", True),
    ):
        started = time.perf_counter()
        for _ in range(N):
            post(path, idempotent)
        print(f"{label}: {1000 * (time.perf_counter() - started) / N:.2f} ms per request")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(N):
        post("/api/v1/checkins/")
    profiler.disable()
    stats = pstats.Stats(profiler)
    if os.environ.get("PROFILE_DUMP"):
        stats.dump_stats(os.environ["PROFILE_DUMP"])
    stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(TOP)


if __name__ == "__main__":
    main()
