"""The database keeps exactly one kind of rule by trigger: on PostgreSQL, sign-off decisions
and the audit trail are append-only (a guarantee, not a cache). Every other follow-up of a
write (the change queue) is Python in the services, the same on every database."""

import importlib

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

append_only = importlib.import_module("rehab.migrations.0004_append_only_triggers")


def present():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def test_the_only_triggers_are_the_append_only_ones_on_postgresql():
    if connection.vendor == "postgresql":
        expected = {f"{table}_append_only" for table in append_only.TABLES}
    else:
        expected = set()
    assert present() == expected
