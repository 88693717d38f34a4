"""Plausible values and corrections (PRODUCT.md §2.9).

- The metric registry gets value type, plausible range and decimals (filled from
  monitoring.metric_registry.PLAUSIBLE before the range constraint is created).
- Check-ins, sessions and measurements can be voided (voided_at/by, void_reason); a voided
  check-in no longer holds its day.
- ImportBatch (one per confirmed CSV import) and JobRun (last run of each scheduled job).

On SQLite, adding constraints rebuilds a table, and a rebuild drops its triggers: the
evaluation-queue and gate-summary triggers of the rebuilt tables are created again at the end.
"""

import importlib

import core.plausibility
import datetime
import django.core.serializers.json
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def load_plausible_ranges(apps, schema_editor):
    from monitoring.metric_registry import PLAUSIBLE

    MetricKind = apps.get_model("monitoring", "MetricKind")
    for metric in MetricKind.objects.all():
        # A kind added by staff meanwhile gets a range nothing real falls outside of.
        value_type, low, high, decimals = PLAUSIBLE.get(metric.code, ("number", -1e9, 1e9, 2))
        metric.value_type, metric.min_value, metric.max_value = value_type, low, high
        metric.decimals = decimals
        metric.save(update_fields=["value_type", "min_value", "max_value", "decimals"])


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in (
        "monitoring.migrations.0007_evaluation_request_triggers",
        "rehab.migrations.0007_gate_summary_triggers",
    ):
        module = importlib.import_module(name)
        module.drop_triggers(apps, schema_editor)
        module.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('athletes', '0003_plausible_dates'),
        ('monitoring', '0008_evaluation_request_athlete_index'),
        ('rehab', '0008_correction_audit_actions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.UUIDField()),
                ('file_name', models.CharField(blank=True, max_length=200)),
                ('sha256', models.CharField(help_text="Of the file's bytes.", max_length=64)),
                ('rows', models.PositiveIntegerField(default=0, help_text='Measurements stored.')),
                ('skipped', models.PositiveIntegerField(default=0, help_text='Duplicate rows left out.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='JobRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60, unique=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('report', models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='checkin',
            name='checkin_one_per_day',
        ),
        migrations.AddField(
            model_name='checkin',
            name='void_reason',
            field=models.TextField(blank=True, editable=False, max_length=1000),
        ),
        migrations.AddField(
            model_name='checkin',
            name='voided_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='checkin',
            name='voided_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='measurement',
            name='void_reason',
            field=models.TextField(blank=True, editable=False, max_length=1000),
        ),
        migrations.AddField(
            model_name='measurement',
            name='voided_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='measurement',
            name='voided_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='metrickind',
            name='decimals',
            field=models.PositiveSmallIntegerField(default=2, help_text='Decimals shown on pages and in reports.'),
        ),
        migrations.AddField(
            model_name='metrickind',
            name='max_value',
            field=models.FloatField(default=1000000000.0, help_text="Highest plausible value, in the metric's unit."),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='metrickind',
            name='min_value',
            field=models.FloatField(default=0, help_text="Lowest plausible value, in the metric's unit."),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='metrickind',
            name='value_type',
            field=models.CharField(choices=[('number', 'Number'), ('pass_fail', 'Pass (1) or fail (0)')], default='number', max_length=10),
        ),
        migrations.AddField(
            model_name='trainingsession',
            name='void_reason',
            field=models.TextField(blank=True, editable=False, max_length=1000),
        ),
        migrations.AddField(
            model_name='trainingsession',
            name='voided_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='trainingsession',
            name='voided_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(load_plausible_ranges, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='checkin',
            name='taken_at',
            field=models.DateTimeField(validators=[core.plausibility.validate_log_time]),
        ),
        migrations.AlterField(
            model_name='measurement',
            name='measured_at',
            field=models.DateTimeField(validators=[core.plausibility.validate_log_time]),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='date',
            field=models.DateField(validators=[core.plausibility.validate_log_date]),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='duration_min',
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='duration (min)'),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='pain_after',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(10)], verbose_name='pain after (0–10)'),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='pain_during',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(10)], verbose_name='pain during (0–10)'),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='rpe',
            field=models.PositiveSmallIntegerField(help_text='Session RPE 0–10', validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(10)], verbose_name='RPE'),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='sprint_distance_m',
            field=models.PositiveIntegerField(blank=True, help_text='Total distance sprinted in the session.', null=True, validators=[django.core.validators.MaxValueValidator(10000)], verbose_name='sprint distance (m)'),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='temperature_c',
            field=models.SmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(-40), django.core.validators.MaxValueValidator(55)], verbose_name='temperature (°C)'),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='top_intensity_pct',
            field=models.PositiveSmallIntegerField(blank=True, help_text="Top speed as % of the athlete's maximum velocity.", null=True, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='top intensity (% of max)'),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.UniqueConstraint(condition=models.Q(('voided_at__isnull', True)), fields=('athlete', 'local_date'), name='checkin_one_per_day'),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.CheckConstraint(condition=models.Q(('taken_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='checkin_taken_since_2000'),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.CheckConstraint(condition=models.Q(('voided_at__isnull', True), models.Q(('void_reason', ''), _negated=True), _connector='OR'), name='checkin_void_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='metrickind',
            constraint=models.CheckConstraint(condition=models.Q(('min_value__lt', models.F('max_value'))), name='metric_range_ordered'),
        ),
        migrations.AddConstraint(
            model_name='metrickind',
            constraint=models.CheckConstraint(condition=models.Q(('decimals__lte', 4)), name='metric_decimals_0_4'),
        ),
        migrations.AddConstraint(
            model_name='metrickind',
            constraint=models.CheckConstraint(condition=models.Q(('value_type__in', ['number', 'pass_fail'])), name='metric_value_type_valid'),
        ),
        migrations.AddConstraint(
            model_name='trainingsession',
            constraint=models.CheckConstraint(condition=models.Q(('sprint_distance_m__isnull', True), ('sprint_distance_m__lte', 10000), _connector='OR'), name='session_sprint_distance_plausible'),
        ),
        migrations.AddConstraint(
            model_name='trainingsession',
            constraint=models.CheckConstraint(condition=models.Q(('date__gte', datetime.date(2000, 1, 1))), name='session_date_since_2000'),
        ),
        migrations.AddConstraint(
            model_name='trainingsession',
            constraint=models.CheckConstraint(condition=models.Q(('voided_at__isnull', True), models.Q(('void_reason', ''), _negated=True), _connector='OR'), name='session_void_has_reason'),
        ),
        migrations.AddField(
            model_name='importbatch',
            name='imported_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='measurement',
            name='import_batch',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='measurements', to='monitoring.importbatch'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=models.Q(('measured_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='measurement_taken_since_2000'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=models.Q(('voided_at__isnull', True), models.Q(('void_reason', ''), _negated=True), _connector='OR'), name='measurement_void_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='importbatch',
            constraint=models.UniqueConstraint(fields=('imported_by', 'key'), name='import_key_once'),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
