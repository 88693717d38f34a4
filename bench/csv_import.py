"""Benchmark: the CSV import of a 10,000-row device export on PostgreSQL.

    .venv/bin/python bench/csv_import.py

Creates a throwaway database (sb_bench_csv), a team of 60 athletes, each with a device id,
and a coach; writes a 10,000-row export in a device's layout (athletes named by their device
id, day-first dates, a metric column of four metrics and a unit column in ms, km/h, kgf and
N, so every row is converted), and runs it through a column map: preview (every row checked,
duplicates looked up), then import (one transaction). Then a second file of 100 sprint
runs (one row per run, split times in columns at 10/20/30 m; the most a file may hold)
becomes 100 sprint trials through monitoring.sprints.record_sprint_trial. Then the
baseline, in the same process: the old per-row path (monitoring.services.record_measurement for each of the 10,000 rows, in
one transaction, rolled back). Prints seconds, rows per second and queries.
"""

import datetime as dt
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from common import recreate_database  # noqa: E402 (bench/ is on sys.path as the script's folder)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_bench_csv")
ROWS = int(os.environ.get("BENCH_ROWS", 10_000))
SPRINTS = int(os.environ.get("BENCH_SPRINTS", 100))  # csv_import.MAX_SPRINT_ROWS
ATHLETES = 60
ENV = {
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
    "LOG_LEVEL": "WARNING",
}
# metric code, unit in the file, value in that unit (a plausible spread)
METRICS = [
    ("split_30m", "ms", lambda r: r.uniform(3900, 5200)),
    ("peak_velocity", "km/h", lambda r: r.uniform(25, 38)),
    ("knee_flexor_strength", "kgf", lambda r: r.uniform(20, 45)),
    ("nordic_force", "N", lambda r: r.uniform(200, 450)),
]
MAPPING = {
    "athlete": {"column": "Client Id", "by": "external", "system": "Bench Gates"},
    "time": {"column": "Date", "format": "dmy"},
    "metric": {"column": "Test"},
    "value": {"column": "Result"},
    "unit": {"column": "Unit"},
    "side": {"column": "Leg"},
}
SPRINT_MAPPING = {
    "athlete": {"column": "Client Id", "by": "external", "system": "Bench Gates"},
    "time": {"column": "Date", "format": "dmy"},
    "splits": {"10 m": 10, "20 m": 20, "30 m": 30},
    "unit": {"unit": "s"},
    "start": "standing",
}


def setup():
    recreate_database(DB_URL)
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from athletes.models import ExternalId, Role
    from tests.factories import AthleteFactory, TeamFactory, staff

    team = TeamFactory()
    coach = staff(team, Role.COACH, username="benchcoach")
    athletes = [AthleteFactory(team=team) for _ in range(ATHLETES)]
    ExternalId.objects.bulk_create(
        ExternalId(athlete=a, team=team, system="Bench Gates", external_id=f"BG-{n:04d}")
        for n, a in enumerate(athletes)
    )
    return team, coach, athletes


def export_file(rng, now) -> bytes:
    lines = ["Client Id;Date;Test;Leg;Result;Unit"]
    for n in range(ROWS):
        code, unit, value = METRICS[n % len(METRICS)]
        when = now - dt.timedelta(days=1 + n // 40, minutes=n % 40)
        leg = ("left", "right")[n % 2] if code in ("knee_flexor_strength", "nordic_force") else ""
        lines.append(
            f"BG-{n % ATHLETES:04d};{when:%d.%m.%Y %H:%M};{code};{leg};"
            + f"{value(rng):.1f}".replace(".", ",")  # a decimal comma, as in Europe
            + f";{unit}"
        )
    return ("\n".join(lines) + "\n").encode()


def sprint_file(rng, now) -> bytes:
    lines = ["Client Id;Date;10 m;20 m;30 m"]
    for n in range(SPRINTS):
        when = now - dt.timedelta(days=1 + n // 30, minutes=n % 30)
        t10 = rng.uniform(1.75, 2.1)
        t20 = t10 + rng.uniform(1.15, 1.35)
        t30 = t20 + rng.uniform(1.05, 1.25)
        lines.append(f"BG-{n % ATHLETES:04d};{when:%d.%m.%Y %H:%M};{t10:.2f};{t20:.2f};{t30:.2f}")
    return ("\n".join(lines) + "\n").encode()


class Queries:
    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.wrapper = self.connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


def timed(label, fn):
    with Queries() as queries:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:7.2f} s  {queries.count:>7,} queries")
    return result, seconds


def main():
    team, coach, athletes = setup()
    from django.db import transaction
    from django.utils import timezone

    from athletes.access import visible_athletes
    from athletes.models import STAFF_ROLES
    from monitoring import csv_import
    from monitoring.models import Measurement, SprintTrial
    from monitoring.services import record_measurement

    rng = random.Random(18)
    now = timezone.now()
    data = export_file(rng, now)
    scoped = visible_athletes(coach, STAFF_ROLES)
    print(f"{ROWS:,} rows ({len(data) / 1024:.0f} KiB), {ATHLETES} athletes, PostgreSQL")
    preview, preview_s = timed(
        "preview (parse, check, duplicates)",
        lambda: csv_import.parse_measurements_csv(data, athletes=scoped, mapping=MAPPING),
    )
    assert preview.ok, (preview.file_errors, preview.error_rows[:3])
    result, import_s = timed(
        "import (one transaction, bulk)",
        lambda: csv_import.import_measurements(preview, by=coach, key=uuid.uuid4()),
    )
    stored = Measurement.objects.filter(import_batch=result.batch).count()
    assert stored == ROWS, stored
    total = preview_s + import_s
    print(f"  {'preview + import':<44} {total:7.2f} s  ({ROWS / total:,.0f} rows/s)")

    sprints = sprint_file(rng, now)
    sprint_preview, sprint_preview_s = timed(
        f"sprint file: preview of {SPRINTS:,} runs",
        lambda: csv_import.parse_measurements_csv(sprints, athletes=scoped, mapping=SPRINT_MAPPING),
    )
    assert sprint_preview.ok, sprint_preview.error_rows[:3]
    _, sprint_import_s = timed(
        f"sprint file: import ({SPRINTS:,} trials fitted)",
        lambda: csv_import.import_measurements(sprint_preview, by=coach, key=uuid.uuid4()),
    )
    assert SprintTrial.objects.count() == SPRINTS
    print(f"  {'sprint file: preview + import':<44} {sprint_preview_s + sprint_import_s:7.2f} s")

    def per_row():
        with transaction.atomic():
            for row in preview.rows:
                record_measurement(
                    row.athlete,
                    by=coach,
                    metric=row.metric,
                    value=row.value,
                    side=row.side,
                    measured_at=row.measured_at,
                    source=Measurement.Source.CSV,
                    now=now,
                )
            transaction.set_rollback(True)

    _, baseline_s = timed("baseline: old per-row path (record_measurement)", per_row)
    print(
        f"  {'baseline preview + per-row import':<44} {preview_s + baseline_s:7.2f} s  "
        f"→ the bulk import is {baseline_s / import_s:.1f}× faster than per-row"
    )


if __name__ == "__main__":
    main()
