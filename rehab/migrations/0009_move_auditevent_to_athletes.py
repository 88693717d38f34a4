"""AuditEvent now belongs to athletes (athletes 0006); its table stays: only the state moves."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('rehab', '0008_correction_audit_actions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
            ],
        ),
    ]
