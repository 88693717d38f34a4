"""The database queues the monitoring evaluation of an athlete whenever a check-in or a
measurement of theirs is stored or its values change, whoever writes it (services, the admin,
bulk loads, raw SQL). See monitoring.models.EvaluationRequest and jobs.evaluate_pending.

- INSERT: one request per athlete among the new rows. On PostgreSQL the trigger is per
  statement (a transition table), so a bulk insert of 10,000 rows queues each athlete once.
- UPDATE of a column the monitoring rules read (the columns below): one request per row. A
  change of anything else (a note, who logged it, a session deleted and set to NULL) queues
  nothing, so deleting an athlete, which sets such columns before deleting the rows, never
  queues a request for an athlete who is about to disappear.
- DELETE queues nothing: the rows go with their athlete, or by erasure (which the full scan
  settles).

The request is written in the same transaction as the row, so it exists exactly when the data
does. SQLite (development) has only row triggers; there a request is not repeated while an
unclaimed one for the athlete waits (writers are serialised there, so that check cannot race
the job's claim; on PostgreSQL it could, so every statement writes its own request).
"""

from django.db import migrations

# The columns of each table that jobs.scan_all reads.
WATCHED = {
    "monitoring_checkin": (
        "athlete_id",
        "taken_at",
        "local_date",
        "pain_rest",
        "pain_activity",
        "pain_morning",
        "soreness_injured",
        "soreness_other",
        "sleep_hours",
        "sleep_quality",
        "confidence",
        "readiness",
    ),
    "monitoring_measurement": ("athlete_id", "metric_id", "value", "side", "measured_at"),
}
QUEUE = "monitoring_evaluationrequest"

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION sprintback_evaluate_inserted() RETURNS trigger AS $$
BEGIN
    INSERT INTO {QUEUE} (athlete_id, requested_at)
        SELECT DISTINCT athlete_id, now() FROM new_rows;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION sprintback_evaluate_updated() RETURNS trigger AS $$
BEGIN
    INSERT INTO {QUEUE} (athlete_id, requested_at) VALUES (NEW.athlete_id, now());
    IF OLD.athlete_id <> NEW.athlete_id THEN
        INSERT INTO {QUEUE} (athlete_id, requested_at) VALUES (OLD.athlete_id, now());
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _sqlite_queue(row: str) -> str:
    return (
        f"INSERT INTO {QUEUE} (athlete_id, requested_at, claimed_until) "
        f"SELECT {row}.athlete_id, {SQLITE_NOW}, NULL WHERE NOT EXISTS "
        f"(SELECT 1 FROM {QUEUE} WHERE athlete_id = {row}.athlete_id "
        f"AND claimed_until IS NULL);"
    )


def create_triggers(apps, schema_editor):
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        run(PG_FUNCTIONS, params=None)
        for table, columns in WATCHED.items():
            run(
                f"CREATE TRIGGER {table}_evaluate_insert AFTER INSERT ON {table} "
                "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                "EXECUTE FUNCTION sprintback_evaluate_inserted()"
            )
            run(
                f"CREATE TRIGGER {table}_evaluate_update AFTER UPDATE OF {', '.join(columns)} "
                f"ON {table} FOR EACH ROW "
                f"WHEN (({_row('OLD', columns)}) IS DISTINCT FROM ({_row('NEW', columns)})) "
                "EXECUTE FUNCTION sprintback_evaluate_updated()"
            )
    elif vendor == "sqlite":
        for table, columns in WATCHED.items():
            run(
                f"CREATE TRIGGER {table}_evaluate_insert AFTER INSERT ON {table} "
                f"BEGIN {_sqlite_queue('NEW')} END"
            )
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
            run(
                f"CREATE TRIGGER {table}_evaluate_update AFTER UPDATE OF {', '.join(columns)} "
                f"ON {table} WHEN {changed} "
                f"BEGIN {_sqlite_queue('NEW')} {_sqlite_queue('OLD')} END"
            )


def _row(prefix: str, columns) -> str:
    return ", ".join(f"{prefix}.{c}" for c in columns)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    run = schema_editor.execute
    for table in WATCHED:
        for event in ("insert", "update"):
            on = f" ON {table}" if vendor == "postgresql" else ""
            run(f"DROP TRIGGER IF EXISTS {table}_evaluate_{event}{on}")
    if vendor == "postgresql":
        run("DROP FUNCTION IF EXISTS sprintback_evaluate_inserted()")
        run("DROP FUNCTION IF EXISTS sprintback_evaluate_updated()")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0006_evaluation_request")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
