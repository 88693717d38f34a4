"""The roster evaluates every plan's gates live (fast enough: bench/README.md, roster), so the
stored gate summary goes: its triggers (0007) first, then its five columns."""

import importlib

from django.db import migrations

triggers = importlib.import_module("rehab.migrations.0007_gate_summary_triggers")


class Migration(migrations.Migration):
    dependencies = [("rehab", "0009_move_auditevent_to_athletes")]

    operations = [
        migrations.RunPython(triggers.drop_triggers, triggers.create_triggers, elidable=False),
        migrations.RemoveField(model_name="plan", name="gates_epoch"),
        migrations.RemoveField(model_name="plan", name="gates_met"),
        migrations.RemoveField(model_name="plan", name="gates_missing"),
        migrations.RemoveField(model_name="plan", name="gates_total"),
        migrations.RemoveField(model_name="plan", name="gates_valid_until"),
    ]
