"""The audit trail moves from rehab to athletes so that every app may write it (README, Layout).
The table keeps its name (rehab_auditevent) and its append-only trigger: only the state moves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('rehab', '0009_move_auditevent_to_athletes'),
        ('athletes', '0005_merge_0004_api_tokens_0004_team_require_staff_2fa'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(blank=True, max_length=16)),
                        ('action', models.CharField(choices=[('plan.assign', 'Protocol assigned'), ('phase.advance', 'Phase advanced'), ('phase.override', 'Phase advanced with override'), ('phase.regress', 'Phase regressed'), ('signoff.request', 'Clinician review requested'), ('signoff.approve', 'Approved by clinician'), ('signoff.decline', 'Declined by clinician'), ('flag.acknowledge', 'Flag acknowledged'), ('flag.resolve', 'Flag resolved'), ('checkin.correct', 'Check-in corrected'), ('checkin.void', 'Check-in voided'), ('session.correct', 'Session corrected'), ('session.void', 'Session voided'), ('measurement.correct', 'Measurement corrected'), ('measurement.void', 'Measurement voided'), ('privacy.export', 'Data exported (privacy request)'), ('privacy.erase', 'Personal data erased (privacy request)')], max_length=24)),
                        ('target_type', models.CharField(max_length=40)),
                        ('target_id', models.PositiveBigIntegerField()),
                        ('before', models.JSONField(blank=True, default=dict)),
                        ('after', models.JSONField(blank=True, default=dict)),
                        ('at', models.DateTimeField()),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('athlete', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='audit_events', to='athletes.athlete')),
                    ],
                    options={
                        'db_table': 'rehab_auditevent',
                        'ordering': ['-at', '-id'],
                        'indexes': [models.Index(fields=['athlete', 'at'], name='audit_athlete_at_idx')],
                    },
                ),
            ],
        ),
    ]
