"""The shipped templates cite where their thresholds come from (rehab.protocol_templates)."""

from django.db import migrations


def add_citations(apps, schema_editor):
    from rehab.protocol_templates import load_citations

    load_citations(
        apps.get_model("rehab", "Protocol"),
        apps.get_model("rehab", "GateCriterion"),
        apps.get_model("rehab", "Citation"),
    )


def remove_citations(apps, schema_editor):
    apps.get_model("rehab", "Citation").objects.filter(protocol__team=None).delete()


class Migration(migrations.Migration):
    dependencies = [("rehab", "0015_protocol_citations_and_change_log")]

    operations = [migrations.RunPython(add_citations, remove_citations)]
