"""The shipped templates gain their speed_exposures gates (issue 18): a database made before
the kind existed got the templates without them (rehab.protocol_templates.load_templates
leaves out kinds its historical model does not know)."""

from django.db import migrations

from rehab.protocol_templates import add_new_gates


def add(apps, schema_editor):
    add_new_gates(
        apps.get_model("rehab", "Protocol"),
        apps.get_model("rehab", "GateCriterion"),
        kinds=["speed_exposures"],
    )


class Migration(migrations.Migration):
    dependencies = [("rehab", "0013_gate_speed_exposures")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
