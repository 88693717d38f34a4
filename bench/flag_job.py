"""Benchmark: the monitoring full scan on 10,000 athletes × 120 days of check-ins.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_bench_flags .venv/bin/python bench/flag_job.py

Builds the data in a throwaway PostgreSQL database (dropped and created anew), in three
steps of 2,500 / 5,000 / 10,000 athletes so the growth with rows shows, and after each step
runs the full scan. Then times the naive approach (per athlete, load every log into Python
and apply the same rules) on a 500-athlete sample and prints the ratio.

Data: every athlete has one active plan, a check-in every day for 120 days (pain settling from
the injury; ~4 % of athletes with pain ≥ 3 for the last 3 days, ~3 % silent for 5 days) and
weekly tests of four metric/side pairs (~2 % with a clearly slower last 30 m).
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from common import recreate_database  # noqa: E402 (bench/ is on sys.path as the script's folder)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_bench_flags")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("LOG_LEVEL", "WARNING")

STEPS = (2_500, 5_000, 10_000)
DAYS = 120
SAMPLE = 500


def main() -> None:
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("bench/flag_job.py needs a PostgreSQL DATABASE_URL")
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from athletes.models import Athlete, Injury, Team
    from monitoring import rules
    from monitoring.models import CheckIn, Flag, Measurement, MetricKind
    from rehab import scan
    from rehab.models import Plan, Protocol

    now = timezone.now()
    # Spread report times over today's minutes so far, so every report stays on its own day.
    local = timezone.localtime(now)
    spread = max(1, local.hour * 60 + local.minute)
    team = Team.objects.create(name="Bench", slug="bench")
    protocol = Protocol.objects.get(team=None, muscle_group="hamstring")
    phases = list(protocol.phases.order_by("order"))
    metric_ids = {m.code: m.pk for m in MetricKind.objects.all()}

    def add_athletes(start: int, stop: int) -> None:
        athletes = Athlete.objects.bulk_create(
            [Athlete(team=team, first_name=f"A{i}", last_name="Bench") for i in range(start, stop)],
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
                    occurred_on=(now - timezone.timedelta(days=DAYS + 2)).date(),
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
                    current_phase=phases[1 + a.pk % 5],
                    started_at=now - timezone.timedelta(days=DAYS),
                    phase_entered_at=now - timezone.timedelta(days=7),
                )
                for a, inj in zip(athletes, injuries, strict=True)
            ],
            batch_size=2000,
        )
        lo, hi = athletes[0].pk, athletes[-1].pk
        with connection.cursor() as cur:
            # One check-in a day; pain settles from ~6 to ~1. Athletes with id % 25 = 0 have
            # pain ≥ 3 for the last three days; id % 33 = 0 stopped checking in 5 days ago.
            cur.execute(
                """
                INSERT INTO monitoring_checkin
                  (athlete_id, taken_at, local_date, pain_rest, pain_activity, pain_morning,
                   pain_location, note, sleep_hours, sleep_quality, confidence, readiness,
                   void_reason, created_at, updated_at)
                SELECT a.id, t.ts, (t.ts AT TIME ZONE 'Europe/London')::date,
                       LEAST(10, GREATEST(0, p.base / 2)),
                       CASE WHEN a.id %% 25 = 0 AND t.d < 3 THEN 4 + (t.d %% 2)
                            ELSE LEAST(10, GREATEST(0, p.base)) END,
                       CASE WHEN a.id %% 25 = 0 AND t.d < 3 THEN 3
                            ELSE LEAST(10, GREATEST(0, p.base - 1)) END,
                       '', '', 7.5, 7, LEAST(10, 3 + (120 - t.d) / 17), 7, '', now(), now()
                FROM athletes_athlete a
                CROSS JOIN LATERAL (
                    SELECT d, %(now)s::timestamptz - make_interval(days => d::int)
                                                   - make_interval(mins => ((a.id * 7 + d) %% %(spread)s)::int) AS ts
                    FROM generate_series(0, %(days)s - 1) AS d
                ) t
                CROSS JOIN LATERAL (
                    SELECT (6 * t.d / %(days)s + ((a.id + t.d) %% 3) - 1)::int AS base
                ) p
                WHERE a.id BETWEEN %(lo)s AND %(hi)s
                  AND NOT (a.id %% 33 = 0 AND t.d < 5)
                """,
                {"now": now, "days": DAYS, "lo": lo, "hi": hi, "spread": spread},
            )
            # Weekly tests: 30 m split and peak velocity improving, knee-flexor strength per leg.
            cur.execute(
                """
                INSERT INTO monitoring_measurement
                  (athlete_id, metric_id, value, side, measured_at, source, notes, void_reason,
                   created_at)
                SELECT a.id, m.metric_id,
                       CASE WHEN m.code = 'split_30m' AND a.id %% 50 = 0 AND w.w = 0
                            THEN 4.1 * 1.06
                            ELSE m.base * (1 + m.sign * 0.004 * w.w) END,
                       m.side, %(now)s::timestamptz - make_interval(days => (7 * w.w + 1)::int),
                       'csv', '', '', now()
                FROM athletes_athlete a
                CROSS JOIN generate_series(0, %(weeks)s - 1) AS w(w)
                CROSS JOIN (VALUES
                    (%(split)s, 'split_30m', '', 4.1, 1.0),
                    (%(vel)s, 'peak_velocity', '', 10.0, -1.0),
                    (%(kfs)s, 'knee_flexor_strength', 'left', 380.0, -1.0),
                    (%(kfs)s, 'knee_flexor_strength', 'right', 420.0, -0.2)
                ) AS m(metric_id, code, side, base, sign)
                WHERE a.id BETWEEN %(lo)s AND %(hi)s
                """,
                {
                    "now": now,
                    "weeks": DAYS // 7,
                    "lo": lo,
                    "hi": hi,
                    "split": metric_ids["split_30m"],
                    "vel": metric_ids["peak_velocity"],
                    "kfs": metric_ids["knee_flexor_strength"],
                },
            )
            cur.execute("ANALYZE")

    print(
        f"PostgreSQL {connection.pg_version}, {os.cpu_count()} cores; now = {now:%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"{'athletes':>9} {'check-ins':>10} {'measurements':>13} {'scan s':>7} "
        f"{'2nd run s':>9} {'flags':>6} {'µs/row':>7}"
    )
    built = 0
    last_scan = None
    for target in STEPS:
        add_athletes(built, target)
        built = target
        checkins, measurements = CheckIn.objects.count(), Measurement.objects.count()
        started = time.perf_counter()
        report = scan.scan_all(now=now)
        scan_s = time.perf_counter() - started
        started = time.perf_counter()
        again = scan.scan_all(now=now)
        second = time.perf_counter() - started
        assert again.flags_opened == 0, "a second run must not open flags"
        last_scan = scan_s
        rows = checkins + measurements
        print(
            f"{target:>9,} {checkins:>10,} {measurements:>13,} {scan_s:>7.2f} {second:>9.2f} "
            f"{Flag.objects.count():>6,} {1e6 * scan_s / rows:>7.2f}   "
            f"(opened {report.flags_opened}, failures {report.failures})"
        )
    by_kind = dict(Flag.objects.values_list("kind").annotate(n=Count("id")))
    print(f"flags by kind: {by_kind}")

    # --- the naive baseline: per athlete, every log into Python -------------------------------
    sample = list(
        Plan.objects.filter(status="active")
        .select_related("protocol")
        .order_by("athlete_id")[:SAMPLE]
    )
    metrics = {
        m.pk: rules.MetricInfo(m.code, m.name, m.unit, m.direction, m.swc_pct, m.decimals)
        for m in MetricKind.objects.all()
    }
    started = time.perf_counter()
    naive_findings = 0
    for plan in sample:
        reports = [
            rules.PainReport(c.taken_at, c.pain_rest, c.pain_activity, c.pain_morning, c.pk)
            for c in CheckIn.objects.filter(athlete_id=plan.athlete_id)
        ]
        naive_findings += bool(
            rules.pain_persisting(
                reports,
                now=now,
                threshold=plan.protocol.pain_threshold,
                hours=plan.protocol.pain_persist_hours,
            )
        )
        series: dict = {}
        for m in Measurement.objects.filter(athlete_id=plan.athlete_id).order_by("measured_at"):
            series.setdefault((m.metric_id, m.side), []).append(m)
        for (metric_id, side), values in series.items():
            newest = values[-1]
            window = [
                v.value for v in values[:-1] if v.measured_at >= now - rules.REGRESSION_WINDOW
            ]
            level = rules.RecentLevel.from_values(window, metrics[metric_id].direction)
            naive_findings += bool(
                rules.metric_regression(
                    metric=metrics[metric_id],
                    value=newest.value,
                    measured_at=newest.measured_at,
                    level=level,
                    side=side,
                )
            )
        last = max((r.taken_at for r in reports), default=None)
        naive_findings += bool(
            rules.missed_checkins(
                last_checkin_at=last,
                plan_started_at=plan.started_at,
                now=now,
                days=plan.protocol.missed_checkin_days,
            )
        )
    naive = time.perf_counter() - started
    per_athlete = naive / len(sample)
    naive_full = per_athlete * built
    print(
        f"naive per-athlete loop: {len(sample)} athletes in {naive:.2f} s "
        f"({1000 * per_athlete:.1f} ms/athlete, {naive_findings} findings) "
        f"→ {naive_full:.0f} s extrapolated to {built:,} athletes"
    )
    print(
        f"set-based full scan: {last_scan:.2f} s for {built:,} athletes "
        f"→ {naive_full / last_scan:.1f}× faster than the naive loop"
    )


if __name__ == "__main__":
    main()
