"""The Askling H-test's insecurity score (issue 19 item 6): a metric kind of its own, 0–100 and
lower is better, beside the pass/fail result; a gate holds it to "at most X" (metric_threshold)."""

import pytest
from django.core.exceptions import ValidationError

from monitoring.models import MetricKind
from monitoring.services import record_measurement
from rehab.athlete_words import gate_sentence
from rehab.gates import MET, NOT_MET, evaluate_plan
from rehab.models import GateCriterion, GateKind
from tests.factories import start_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def insecurity():
    return MetricKind.objects.get(code="h_test_insecurity")


def test_the_score_is_a_bilateral_lower_is_better_metric_from_0_to_100(world, insecurity):
    assert (insecurity.direction, insecurity.bilateral, insecurity.unit) == ("lower", True, "")
    record_measurement(world.athlete, by=world.coach, metric=insecurity, value=0, side="left")
    with pytest.raises(ValidationError) as refused:
        record_measurement(world.athlete, by=world.coach, metric=insecurity, value=101, side="left")
    assert "value" in refused.value.message_dict


def test_a_gate_holds_the_injured_leg_to_at_most_x(world, insecurity):
    plan = start_plan(world.athlete, phase_order=4, entered_days_ago=3)
    GateCriterion.objects.create(
        phase=plan.current_phase,
        kind=GateKind.METRIC_THRESHOLD,
        metric=insecurity,
        threshold=20,
        description="H-test insecurity at most 20/100",
    )
    injured = plan.injury.side
    other = "right" if injured == "left" else "left"

    def result():
        report = evaluate_plan(plan)
        return next(g for g in report["gates"] if g["metric"] == "h_test_insecurity")

    record_measurement(world.athlete, by=world.coach, metric=insecurity, value=35, side=injured)
    record_measurement(world.athlete, by=world.coach, metric=insecurity, value=0, side=other)
    assert result()["status"] == NOT_MET
    record_measurement(world.athlete, by=world.coach, metric=insecurity, value=15, side=injured)
    met = result()
    assert met["status"] == MET
    assert gate_sentence(met) == (
        "Askling H-test insecurity (0–100): 15 — the target is at most 20"
    )
