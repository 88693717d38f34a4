"""Roster benchmark: 500 athletes with 120 days of data, the /coach/ page rendered 20 times.

Run against a throwaway PostgreSQL database (it is dropped and created again):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_bench_roster .venv/bin/python bench/roster.py

Prints the server time of the roster (Django test Client, signed-in coach) and its query
count, in the states the stored gate counts (rehab.gate_summary) can be in:
- warm: every plan's counts stored by the change queue's consumer and good (the median of 20
  renders after two warm-ups), and the same on a new database connection (median of 5);
- cold: every summary stale: every athlete waiting in the queue (as after a bulk import or a
  protocol edit), and every summary's `valid_until` passed (a minimum-days gate turned at
  midnight, the consumer not run yet);
- the consumer's gate half (`gate_summary.refresh`) storing all 450 plans' counts (what "cold"
  waits for);
- for comparison, every plan's gates judged live on each render (the design before the
  stored counts), and the first render of the process (templates compiled; information).
Next to it, in the same process, a baseline: a plain page listing the same athletes
(`list(Athlete.objects...)` rendered through a template).
"""

import datetime as dt
import importlib
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
    from django.utils import timezone

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

    from athletes.models import EvaluationRequest
    from rehab import gate_summary
    from rehab.models import GateSummary, Plan

    roster_module = importlib.import_module("rehab.selectors.roster")
    client = Client()
    client.force_login(coach)

    def render_roster():
        response = client.get("/coach/")
        assert response.status_code == 200, response.status_code
        return response

    def counted(fn):
        queries = []
        # Counted with a wrapper: the request_started signal resets connection.queries.
        with connection.execute_wrapper(
            lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)
        ):
            result = fn()
        return result, len(queries)

    # The consumer's gate half stores every plan's counts. (Its flag half is left out: on this
    # random data the rules would open some 650 flags and the bench compares with 34.)
    athlete_ids = list(Plan.objects.active().values_list("athlete_id", flat=True))

    def consume():
        """What evaluate_pending does for the gates: store the counts, empty the queue."""
        gate_summary.refresh(athlete_ids)
        EvaluationRequest.objects.all().delete()

    GateSummary.objects.all().delete()
    started = time.perf_counter()
    consume()
    consumer_s = time.perf_counter() - started
    stored = GateSummary.objects.count()

    # The first render of the process, on a new connection (information).
    connection.close()
    started = time.perf_counter()
    response, warm_queries = counted(render_roster)
    first_ms = (time.perf_counter() - started) * 1000
    rows = response.content.count(b"<tr data-athlete=")
    roster_ms = timed(render_roster)

    def on_new_connection():
        connection.close()
        start = time.perf_counter()
        render_roster()
        return (time.perf_counter() - start) * 1000

    new_connection_ms = statistics.median(on_new_connection() for _ in range(5))
    selector_ms = timed(lambda: roster(coach))

    # Cold 1: every athlete waiting in the queue.
    EvaluationRequest.objects.bulk_create(EvaluationRequest(athlete_id=pk) for pk in athlete_ids)
    _, queued_queries = counted(render_roster)
    queued_ms = timed(render_roster)
    queued_new_ms = statistics.median(on_new_connection() for _ in range(5))
    updating = render_roster().content.count("updating…".encode())
    started = time.perf_counter()
    consume()
    catch_up_s = time.perf_counter() - started

    # Cold 2: every summary past its `valid_until` (nothing queued yet).
    past = timezone.now() - dt.timedelta(minutes=1)
    GateSummary.objects.update(valid_until=past)
    expired_ms = timed(render_roster)
    due = gate_summary.due(timezone.now()).count()
    consume()

    # For comparison: every plan judged live on every render (no stored counts).
    GateSummary.objects.all().delete()
    limit = roster_module.LIVE_GATES_LIMIT
    roster_module.LIVE_GATES_LIMIT = 10**6
    live_ms = timed(render_roster, n=10)
    roster_module.LIVE_GATES_LIMIT = limit
    consume()

    baseline_template = Template(
        "<table>{% for a in athletes %}<tr><td>{{ a.full_name }}</td><td>{{ a.team_id }}</td></tr>{% endfor %}</table>"
    )

    def render_baseline():
        return baseline_template.render(Context({"athletes": list(Athlete.objects.all())}))

    baseline_ms = timed(render_baseline)

    def line(what, ms):
        print(f"{what}: median {ms[0]:.1f} ms (min {ms[1]:.1f}, max {ms[2]:.1f})")

    print(f"data: {counts} (built in {built_s:.1f} s); DEBUG={settings.DEBUG}")
    print(f"consumer's gate half storing {stored} plans' counts: {consumer_s * 1000:.0f} ms")
    print(f"roster /coach/: {rows} rows on the first page, {warm_queries} queries")
    print(f"roster /coach/ first render of the process: {first_ms:.1f} ms (information)")
    line(f"roster /coach/ warm (counts stored and good), {RENDERS} renders", roster_ms)
    print(f"  of which roster selector: median {selector_ms[0]:.1f} ms")
    print(f"roster /coach/ warm on a new database connection: median {new_connection_ms:.1f} ms")
    line(
        f"roster /coach/ cold: all {len(athlete_ids)} athletes waiting in the queue "
        f"({queued_queries} queries, {updating} rows 'updating')",
        queued_ms,
    )
    print(f"  the same on a new database connection: median {queued_new_ms:.1f} ms")
    print(f"  the consumer catching up ({len(athlete_ids)} athletes): {catch_up_s * 1000:.0f} ms")
    line(f"roster /coach/ cold: all {due} summaries past valid_until", expired_ms)
    line("for comparison, every plan judged live on each render", live_ms)
    line("baseline (list(Athlete.objects.all()) + template)", baseline_ms)
    worst = max(roster_ms[0], new_connection_ms, queued_ms[0], queued_new_ms, expired_ms[0])
    print(
        "target: roster under 150 ms, warm and cold:",
        "yes" if worst < 150 else "NO",
        f"(worst median {worst:.1f} ms)",
    )


if __name__ == "__main__":
    main()
