"""Roster benchmark: 500 athletes with 120 days of data, the /coach/ page rendered 20 times.

Run against a throwaway PostgreSQL database (it is dropped and created again):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_bench_roster .venv/bin/python bench/roster.py

Prints the server time of the roster (Django test Client, signed-in coach) and its query
count. Every render evaluates all 450 plans' gates live (rehab.gates): nothing is stored
between renders, so each one is "cold" in the sense of the old gate-summary cache (every
summary stale). Three figures: warm (the median of 20 renders after two warm-ups), a new
database connection (the median of 5 renders, each on a connection opened for it), and for
information the first render of the process (templates compiled, modules imported). Next to it, in the same process, a baseline: a plain page
listing the same athletes (`list(Athlete.objects...)` rendered through a template).
"""

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import recreate_database  # noqa: E402 (bench/ is on sys.path as the script's folder)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

ATHLETES = 500
DAYS = 120
RENDERS = 20


def build(rng: random.Random):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from athletes.models import Athlete, Baseline, Injury, Membership, Role, Team
    from monitoring.models import CheckIn, Flag, FlagKind, Measurement, MetricKind, TrainingSession
    from rehab.models import Phase, PhaseChange, Plan, Protocol

    now = timezone.now()
    today = timezone.localdate(now)
    team = Team.objects.create(name="Bench", slug="bench")
    coach = get_user_model().objects.create_user("benchcoach", password="x")
    Membership.objects.create(user=coach, team=team, role=Role.COACH)
    athletes = Athlete.objects.bulk_create(
        Athlete(team=team, first_name=f"Runner{i:03d}", last_name=f"Bench{i % 37:02d}")
        for i in range(ATHLETES)
    )
    protocols = {p.muscle_group: p for p in Protocol.objects.filter(is_template=True)}
    phases = {(p.protocol_id, p.order): p for p in Phase.objects.all()}
    metrics = {m.code: m for m in MetricKind.objects.all()}
    injuries, plans, changes = [], [], []
    for i, a in enumerate(athletes):
        group = "calf" if i % 3 == 0 else "hamstring"
        injuries.append(
            Injury(
                athlete=a,
                muscle_group=group,
                side=rng.choice(["left", "right"]),
                grade=rng.randint(1, 3),
                occurred_on=today - dt.timedelta(days=DAYS + 5),
                mechanism="high_speed_running",
            )
        )
    Injury.objects.bulk_create(injuries)
    for i, (a, injury) in enumerate(zip(athletes, injuries, strict=True)):
        if i % 10 == 9:
            continue  # some athletes have no active plan
        protocol = protocols[injury.muscle_group]
        order = i % 7
        entered = now - dt.timedelta(days=rng.randint(0, 25))
        plans.append(
            Plan(
                athlete=a,
                injury=injury,
                protocol=protocol,
                current_phase=phases[(protocol.pk, order)],
                started_at=now - dt.timedelta(days=DAYS),
                phase_entered_at=entered,
            )
        )
    Plan.objects.bulk_create(plans)
    for plan in plans:
        changes.append(
            PhaseChange(
                plan=plan,
                to_phase=phases[(plan.protocol_id, 0)],
                kind="start",
                changed_at=plan.started_at,
            )
        )
        if plan.current_phase.order:
            changes.append(
                PhaseChange(
                    plan=plan,
                    from_phase=phases[(plan.protocol_id, 0)],
                    to_phase=plan.current_phase,
                    kind="override",
                    reason="bench",
                    changed_at=plan.phase_entered_at,
                )
            )
    PhaseChange.objects.bulk_create(changes)

    checkins, sessions, measurements, baselines = [], [], [], []
    bench_metrics = ["split_30m", "peak_velocity", "knee_flexor_strength", "calf_raises", "h_test"]
    for i, a in enumerate(athletes):
        skip_recent = 4 if i % 8 == 0 else 0  # some athletes stopped checking in
        for n in range(skip_recent, DAYS):
            day = today - dt.timedelta(days=n)
            checkins.append(
                CheckIn(
                    athlete=a,
                    taken_at=now - dt.timedelta(days=n, hours=2),
                    local_date=day,
                    pain_rest=rng.randint(0, 2),
                    pain_activity=rng.randint(0, 4),
                    pain_morning=rng.randint(0, 3),
                    confidence=rng.randint(4, 10),
                )
            )
            if n % 2 == 0:
                sessions.append(
                    TrainingSession(
                        athlete=a,
                        date=day,
                        type="technique",
                        duration_min=45,
                        rpe=rng.randint(3, 7),
                        pain_during=rng.randint(0, 3),
                        pain_after=rng.randint(0, 3),
                    )
                )
            if n % 7 == 0:
                for code in bench_metrics:
                    m = metrics[code]
                    for side in ("left", "right") if m.bilateral else ("",):
                        measurements.append(
                            Measurement(
                                athlete=a,
                                metric=m,
                                side=side,
                                value=rng.uniform(0.5, 1.0) if code != "h_test" else 1,
                                measured_at=now - dt.timedelta(days=n, hours=3),
                            )
                        )
        baselines.append(
            Baseline(athlete=a, metric=metrics["split_30m"], value=4.1, measured_on=today)
        )
        baselines.append(
            Baseline(athlete=a, metric=metrics["peak_velocity"], value=10.2, measured_on=today)
        )
    CheckIn.objects.bulk_create(checkins, batch_size=5000)
    TrainingSession.objects.bulk_create(sessions, batch_size=5000)
    Measurement.objects.bulk_create(measurements, batch_size=5000)
    Baseline.objects.bulk_create(baselines)
    Flag.objects.bulk_create(
        Flag(athlete=a, kind=FlagKind.PAIN_PERSISTING, opened_at=now, evidence={})
        for a in athletes[::15]
    )
    return coach, {
        "athletes": len(athletes),
        "plans": len(plans),
        "checkins": len(checkins),
        "sessions": len(sessions),
        "measurements": len(measurements),
    }


def timed(fn, n=RENDERS):
    fn()  # warm-up: template loading, connection
    fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit(__doc__)
    reuse = os.environ.get("BENCH_REUSE") == "1"  # skip the rebuild (profiling runs)
    if not reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.conf import settings

    # DEBUG=false (as in production) would need collected static files for the manifest
    # storage; the plain storage renders the same pages.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    from django.core.management import call_command
    from django.db import connection
    from django.template import Context, Template
    from django.test import Client

    from athletes.models import Athlete
    from rehab.selectors import roster

    started = time.perf_counter()
    if reuse:
        from django.contrib.auth import get_user_model

        coach = get_user_model().objects.get(username="benchcoach")
        counts = {"athletes": Athlete.objects.count()}
    else:
        call_command("migrate", verbosity=0)
        coach, counts = build(random.Random(20261122))
    built_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    client = Client()
    client.force_login(coach)

    def render_roster():
        response = client.get("/coach/")
        assert response.status_code == 200, response.status_code
        return response

    # Cold: a new connection and the very first render of this process.
    connection.close()
    started = time.perf_counter()
    queries = []
    # Counted with a wrapper: the request_started signal resets connection.queries.
    with connection.execute_wrapper(
        lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)
    ):
        response = render_roster()
    cold_ms = (time.perf_counter() - started) * 1000
    rows = response.content.count(b"<tr data-athlete=")
    roster_ms = timed(render_roster)

    def on_new_connection():
        connection.close()
        start = time.perf_counter()
        render_roster()
        return (time.perf_counter() - start) * 1000

    new_connection_ms = statistics.median(on_new_connection() for _ in range(5))
    selector_ms = timed(lambda: roster(coach))

    baseline_template = Template(
        "<table>{% for a in athletes %}<tr><td>{{ a.full_name }}</td><td>{{ a.team_id }}</td></tr>{% endfor %}</table>"
    )

    def render_baseline():
        return baseline_template.render(Context({"athletes": list(Athlete.objects.all())}))

    baseline_ms = timed(render_baseline)

    print(f"data: {counts} (built in {built_s:.1f} s); DEBUG={settings.DEBUG}")
    print(f"roster /coach/: {rows} rows on the first page, {len(queries)} queries")
    print(f"roster /coach/ first render of the process: {cold_ms:.1f} ms (information)")
    print(
        f"roster /coach/ warm: median {roster_ms[0]:.1f} ms (min {roster_ms[1]:.1f}, max {roster_ms[2]:.1f}) over {RENDERS} renders"
    )
    print(
        f"  of which roster selector (reads + every plan's gates): median {selector_ms[0]:.1f} ms"
    )
    print(f"roster /coach/ on a new database connection: median {new_connection_ms:.1f} ms")
    print(
        f"baseline (list(Athlete.objects.all()) + template): median {baseline_ms[0]:.1f} ms (min {baseline_ms[1]:.1f}, max {baseline_ms[2]:.1f})"
    )
    met = roster_ms[0] < 150 and new_connection_ms < 150
    print(
        "target: roster under 150 ms, warm and on a new connection (every plan evaluated):",
        "yes" if met else "NO",
    )


if __name__ == "__main__":
    main()
