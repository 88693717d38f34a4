"""The Askling H-test's insecurity score, 0–100, as a metric kind of its own beside the pass/fail
result (issue 19): a gate reads it as "at most X" (metric_threshold, lower is better). A database
migrated from scratch already has it (0003 and 0009 read the same registry)."""

from django.db import migrations


def load(apps, schema_editor):
    from monitoring.metric_registry import METRICS, PLAUSIBLE

    MetricKind = apps.get_model("monitoring", "MetricKind")
    for code, name, unit, direction, category, bilateral, swc_pct, description in METRICS:
        if code != "h_test_insecurity":
            continue
        value_type, low, high, decimals = PLAUSIBLE[code]
        MetricKind.objects.get_or_create(
            code=code,
            defaults=dict(name=name, unit=unit, direction=direction, category=category,
                          bilateral=bilateral, swc_pct=swc_pct, description=description,
                          value_type=value_type, min_value=low, max_value=high,
                          decimals=decimals),
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0018_team_import_profiles")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
