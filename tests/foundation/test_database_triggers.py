"""The rules the database keeps by trigger are in place after every migration.

On SQLite, a migration that rebuilds a table (most AlterField / AddConstraint operations)
silently drops that table's triggers; this test is where such a migration shows up.
"""

import importlib

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

gates = importlib.import_module("rehab.migrations.0007_gate_summary_triggers")
evaluation = importlib.import_module("monitoring.migrations.0007_evaluation_request_triggers")


def expected():
    names = {"rehab_plan_gates_moved"}
    for table, *_ in gates._tables():
        names |= {f"{table}_gates_{event}" for event in ("insert", "update", "delete")}
    for table in evaluation.WATCHED:
        names |= {f"{table}_evaluate_{event}" for event in ("insert", "update")}
    return names


def present():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def test_every_gate_summary_and_evaluation_trigger_exists():
    assert expected() - present() == set()
