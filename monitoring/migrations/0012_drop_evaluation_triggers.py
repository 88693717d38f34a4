"""The change queue moves from database triggers to the services (athletes.evaluation): drop
the evaluation-request triggers of 0007, and hand EvaluationRequest to athletes (athletes 0007;
the table keeps its name, only Django's state moves)."""

import importlib

from django.db import migrations

triggers = importlib.import_module("monitoring.migrations.0007_evaluation_request_triggers")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0011_move_idempotencyrecord_to_core")]

    operations = [
        migrations.RunPython(triggers.drop_triggers, triggers.create_triggers, elidable=False),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="EvaluationRequest")],
        ),
    ]
