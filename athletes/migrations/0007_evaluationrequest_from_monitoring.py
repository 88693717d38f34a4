"""EvaluationRequest (the change queue) now belongs to athletes, so every app's services may
write it (README, Layout). The table keeps its name: only Django's state moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("athletes", "0006_auditevent_from_rehab"),
        ("monitoring", "0012_drop_evaluation_triggers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EvaluationRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("requested_at", models.DateTimeField(auto_now_add=True)),
                        ("claimed_until", models.DateTimeField(blank=True, null=True)),
                        (
                            "athlete",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="athletes.athlete",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitoring_evaluationrequest",
                        "indexes": [
                            models.Index(fields=["athlete"], name="evaluation_request_athlete")
                        ],
                    },
                ),
            ],
        ),
    ]
