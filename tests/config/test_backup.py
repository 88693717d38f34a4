"""docs/backup.md works: pg_dump the database, pg_restore it into a fresh one, find the data."""

import os
import shutil
import subprocess
import uuid

import pytest
from django.db import connection

from tests.factories import CheckInFactory, TeamFactory, athlete_with_login

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not shutil.which("pg_dump"),
        reason="backups are a PostgreSQL procedure (needs pg_dump and pg_restore)",
    ),
]


def libpq_args(settings_dict, name) -> list[str]:
    args = ["--dbname", name]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    return args


def run(*command, env):
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=True)


def test_a_dump_restores_into_a_fresh_database_with_the_data(tmp_path):
    athlete = athlete_with_login(TeamFactory(), first_name="Restora")
    checkin = CheckInFactory(athlete=athlete, pain_rest=4, note="after the dump")
    settings_dict = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    source = settings_dict["NAME"]
    copy = f"sb_restore_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "sprintback.dump"

    run("pg_dump", "--format=custom", "--no-owner", "--file", str(dump),
        *libpq_args(settings_dict, source), env=env)  # fmt: skip
    run("createdb", *libpq_args(settings_dict, copy)[2:], copy, env=env)
    try:
        run("pg_restore", "--no-owner", "--exit-on-error",
            *libpq_args(settings_dict, copy), str(dump), env=env)  # fmt: skip
        query = (
            "select (select count(*) from athletes_athlete),"
            " (select count(*) from django_migrations),"
            f" (select a.first_name || ':' || c.pain_rest || ':' || c.note"
            f"  from monitoring_checkin c join athletes_athlete a on a.id = c.athlete_id"
            f"  where c.id = {checkin.pk})"
        )
        out = run("psql", "-tAX", *libpq_args(settings_dict, copy), "-c", query, env=env)
        athletes, migrations, found = out.stdout.strip().split("|")
        assert int(athletes) == 1
        assert int(migrations) > 10
        assert found == "Restora:4:after the dump"
    finally:
        run("dropdb", "--if-exists", *libpq_args(settings_dict, copy)[2:], copy, env=env)
