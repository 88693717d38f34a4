"""The Idempotency-Key record moves from monitoring to core (plumbing every app's API may use).
The table keeps its name (monitoring_idempotencyrecord): only the state moves."""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('monitoring', '0011_move_idempotencyrecord_to_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=255)),
                        ('method', models.CharField(max_length=8)),
                        ('path', models.CharField(max_length=255)),
                        ('fingerprint', models.CharField(help_text='SHA-256 of the request body', max_length=64)),
                        ('status_code', models.PositiveSmallIntegerField(null=True)),
                        ('body', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'monitoring_idempotencyrecord',
                        'constraints': [models.UniqueConstraint(fields=('user', 'key'), name='idempotency_key_once_per_user')],
                    },
                ),
            ],
        ),
    ]
