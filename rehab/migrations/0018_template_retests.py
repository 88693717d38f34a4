"""The shipped templates' maintenance phase re-tests its key test every two weeks (issue 19):
knee-flexor strength for hamstrings, single-leg calf raises for calves."""

from django.db import migrations

from rehab.protocol_templates import add_retests


def add(apps, schema_editor):
    add_retests(
        apps.get_model("rehab", "Protocol"),
        apps.get_model("rehab", "RetestSchedule"),
        apps.get_model("monitoring", "MetricKind"),
    )


class Migration(migrations.Migration):
    dependencies = [("rehab", "0017_retest_schedules")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
