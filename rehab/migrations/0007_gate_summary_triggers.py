"""The database clears a plan's stored gate summary whenever the evidence behind it changes,
whoever writes (services, bulk loads, the admin, raw SQL): the summary can be missing, never
wrong. See rehab.gate_summary.

- A check-in, session, measurement, baseline or injury row of an athlete is inserted, updated
  or deleted → that athlete's active plan is marked stale.
- A gate criterion of a phase changes → every active plan in that phase is marked stale.
- A plan changes phase, phase start or status → its own summary is marked stale.

"Stale" means gates_valid_until = NULL and gates_epoch + 1 (a refresh that read the evidence
before the change then cannot store its result). On PostgreSQL the triggers are per statement,
with transition tables, so a bulk insert of a million check-ins costs one UPDATE, not a
million; SQLite (development) has only row triggers.
"""

from django.db import migrations

BY_ATHLETE = (
    "monitoring_checkin",
    "monitoring_trainingsession",
    "monitoring_measurement",
    "athletes_baseline",
    "athletes_injury",
)
BY_PHASE = ("rehab_gatecriterion",)
STALE = "gates_valid_until = NULL, gates_epoch = gates_epoch + 1"


def _plan_moved(differs: str) -> str:
    """The plan's phase, phase start or status changed (`differs`: the null-safe inequality)."""
    return " OR ".join(
        f"OLD.{column} {differs} NEW.{column}"
        for column in ("current_phase_id", "phase_entered_at", "status")
    )


def _pg_function(name: str, plan_column: str, row_column: str) -> str:
    """A statement trigger function marking the active plans whose `plan_column` is among the
    changed rows' `row_column` (transition tables new_rows / old_rows)."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE rehab_plan SET {STALE} WHERE status = 'active'
            AND {plan_column} IN (SELECT {row_column} FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE rehab_plan SET {STALE} WHERE status = 'active'
            AND {plan_column} IN (SELECT {row_column} FROM old_rows);
    ELSE
        UPDATE rehab_plan SET {STALE} WHERE status = 'active'
            AND {plan_column} IN (SELECT {row_column} FROM new_rows
                                  UNION SELECT {row_column} FROM old_rows);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


PG_PLAN_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sprintback_plan_gates_moved() RETURNS trigger AS $$
BEGIN
    IF {_plan_moved("IS DISTINCT FROM")} THEN
        NEW.gates_valid_until := NULL;
        NEW.gates_epoch := OLD.gates_epoch + 1;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

PG_TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _tables():
    yield from (
        (t, "sprintback_gates_stale_by_athlete", "athlete_id", "athlete_id") for t in BY_ATHLETE
    )
    yield from (
        (t, "sprintback_gates_stale_by_phase", "current_phase_id", "phase_id") for t in BY_PHASE
    )


def create_triggers(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(
            _pg_function("sprintback_gates_stale_by_athlete", "athlete_id", "athlete_id"),
            params=None,
        )
        run(
            _pg_function("sprintback_gates_stale_by_phase", "current_phase_id", "phase_id"),
            params=None,
        )
        run(PG_PLAN_FUNCTION, params=None)
        for table, function, _, _ in _tables():
            for event, referencing in PG_TRANSITIONS.items():
                run(
                    f"CREATE TRIGGER {table}_gates_{event.lower()} AFTER {event} ON {table} "
                    f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                )
        run(
            "CREATE TRIGGER rehab_plan_gates_moved BEFORE UPDATE ON rehab_plan "
            "FOR EACH ROW EXECUTE FUNCTION sprintback_plan_gates_moved()"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for table, _, plan_column, row_column in _tables():
            for event, rows in (
                ("INSERT", ["NEW"]),
                ("UPDATE", ["NEW", "OLD"]),
                ("DELETE", ["OLD"]),
            ):
                match = " OR ".join(f"{plan_column} = {row}.{row_column}" for row in rows)
                run(
                    f"CREATE TRIGGER {table}_gates_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN UPDATE rehab_plan SET {STALE} "
                    f"WHERE status = 'active' AND ({match}); END"
                )
        run(
            "CREATE TRIGGER rehab_plan_gates_moved AFTER UPDATE ON rehab_plan "
            f"WHEN {_plan_moved('IS NOT')} "
            f"BEGIN UPDATE rehab_plan SET {STALE} WHERE id = NEW.id; END"
        )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    run = schema_editor.execute
    on = (lambda table: f" ON {table}") if vendor == "postgresql" else (lambda table: "")
    for table, _, _, _ in _tables():
        for event in PG_TRANSITIONS:
            run(f"DROP TRIGGER IF EXISTS {table}_gates_{event.lower()}{on(table)}")
    run(f"DROP TRIGGER IF EXISTS rehab_plan_gates_moved{on('rehab_plan')}")
    if vendor == "postgresql":
        for function in (
            "sprintback_gates_stale_by_athlete",
            "sprintback_gates_stale_by_phase",
            "sprintback_plan_gates_moved",
        ):
            run(f"DROP FUNCTION IF EXISTS {function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0006_plan_gate_summary"),
        ("monitoring", "0005_idempotency_record"),
        ("athletes", "0002_initial"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
