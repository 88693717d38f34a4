"""`make migrate` first creates the PostgreSQL database DATABASE_URL names when it is missing
(core/management/commands/ensure_database.py): `make run` works on a fresh server."""

import copy
import os

import pytest
from django.conf import settings

from core.management.commands.ensure_database import ensure_database


def _databases_named(name):
    databases = copy.deepcopy(settings.DATABASES)
    databases["default"]["NAME"] = name
    return databases


def _admin():
    import psycopg

    db = settings.DATABASES["default"]
    params = {"dbname": "postgres", "host": db["HOST"], "port": db["PORT"], "user": db["USER"]}
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL only (SQLite's file is made by migrate)",
)
def test_a_missing_database_is_created_once_and_an_existing_one_left_alone():
    name = f"sb_ensure_{os.getpid()}"
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    try:
        db = _databases_named(name)["default"]
        assert ensure_database(db) is True
        assert ensure_database(db) is False  # there now: nothing to do
        with _admin() as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            assert found.fetchone() == (1,)
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_sqlite_needs_nothing():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "unused.sqlite3"}
    assert ensure_database(sqlite) is False
