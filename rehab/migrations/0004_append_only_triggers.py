"""On PostgreSQL, the database itself refuses UPDATE and DELETE on sign-off decisions and audit
events, whoever asks (raw SQL included). The one way to delete: a transaction that sets
`sprintback.allow_purge = 'on'` with SET LOCAL (rehab.models.AppendOnlyQuerySet.purge, used by
the demo reset and erasure). There is no escape for UPDATE. TRUNCATE is not covered: it is what
test databases and `flush` use, and it needs the table owner's rights anyway."""

from django.db import migrations

TABLES = ("rehab_signoffdecision", "rehab_auditevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION sprintback_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('sprintback.allow_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'sprintback: rows of % are append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # no placeholders: keep the % of RAISE
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sprintback_refuse_change()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS sprintback_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("rehab", "0003_audit_event")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
