from django.db import migrations

from monitoring.metric_registry import METRICS


def load_metrics(apps, schema_editor):
    MetricKind = apps.get_model("monitoring", "MetricKind")
    for code, name, unit, direction, category, bilateral, swc_pct, description in METRICS:
        MetricKind.objects.get_or_create(
            code=code,
            defaults=dict(name=name, unit=unit, direction=direction, category=category,
                          bilateral=bilateral, swc_pct=swc_pct, description=description),
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_initial")]
    operations = [migrations.RunPython(load_metrics, migrations.RunPython.noop)]
