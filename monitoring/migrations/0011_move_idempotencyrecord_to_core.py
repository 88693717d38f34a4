"""IdempotencyRecord now belongs to core (core 0001); its table stays: only the state moves."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0010_flag_evidence_voided'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='IdempotencyRecord',
                ),
            ],
        ),
    ]
