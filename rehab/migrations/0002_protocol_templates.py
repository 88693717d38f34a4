from django.db import migrations

from rehab.protocol_templates import load_templates


def load(apps, schema_editor):
    load_templates(
        apps.get_model("rehab", "Protocol"),
        apps.get_model("rehab", "Phase"),
        apps.get_model("rehab", "GateCriterion"),
        apps.get_model("monitoring", "MetricKind"),
    )


class Migration(migrations.Migration):
    dependencies = [("rehab", "0001_initial"), ("monitoring", "0003_metric_registry")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
