"""The velocity ladder (rehab.ladder, issue 18): per day of the plan the fastest sprint as % of
the athlete's pre-injury top speed, against the ceiling of the phase of that day. Frozen time."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from athletes.models import Baseline
from monitoring.models import MetricKind
from monitoring.sprint_profile import model_times
from monitoring.sprints import pre_injury_top_speed, record_sprint_trial
from rehab.ladder import velocity_ladder
from rehab.models import Phase, PhaseChange
from tests.factories import start_plan

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
DISTANCES = [10, 20, 30, 40]


def sprint(world, mss, when):
    splits = [
        {"distance_m": d, "time_s": round(t, 4)}
        for d, t in zip(DISTANCES, model_times(DISTANCES, mss, 1.2), strict=True)
    ]
    with time_machine.travel(NOW, tick=False):
        record_sprint_trial(
            world.athlete, by=world.coach, measured_at=when, splits=splits, start="crouch"
        )


@pytest.fixture
def plan(world):
    """Four days in phase 2 (80 %), then three days in phase 3 (90 %) up to today."""
    with time_machine.travel(NOW - dt.timedelta(days=6), tick=False):
        plan = start_plan(world.athlete, phase_order=2, entered_days_ago=0)
    phase_3 = Phase.objects.get(protocol=plan.protocol, order=3)
    PhaseChange.objects.create(
        plan=plan,
        from_phase=plan.current_phase,
        to_phase=phase_3,
        kind=PhaseChange.Kind.ADVANCE,
        changed_at=NOW - dt.timedelta(days=2),
    )
    Baseline.objects.create(
        athlete=world.athlete,
        metric=MetricKind.objects.get(code="sprint_mss"),
        value=10.0,
        measured_on=dt.date(2026, 1, 10),
    )
    return plan


def ladder(plan):
    changes = list(plan.phase_changes.select_related("to_phase").order_by("changed_at"))
    return velocity_ladder(plan, changes, pre_injury_top_speed(plan.athlete), now=NOW)


def test_each_day_has_its_phase_ceiling_and_its_fastest_sprint(world, plan):
    sprint(world, 7.6, NOW - dt.timedelta(days=5))
    sprint(world, 7.9, NOW - dt.timedelta(days=5, hours=-1))  # the same day, faster
    sprint(world, 8.8, NOW - dt.timedelta(days=1))
    data = ladder(plan)
    assert data["days"][0] == "2026-06-04" and data["days"][-1] == "2026-06-10"
    assert data["ceiling"] == [80, 80, 80, 80, 90, 90, 90]
    assert data["phase"] == [2, 2, 2, 2, 3, 3, 3]
    tops = data["top"]
    assert tops[1] == pytest.approx(79.0, abs=0.2) and tops[5] == pytest.approx(88.0, abs=0.2)
    assert [t is None for t in tops] == [True, False, True, True, True, False, True]
    assert data["trials"] == 3


def test_without_a_pre_injury_top_speed_the_ladder_has_only_its_ceilings(client, world, plan):
    Baseline.objects.filter(athlete=world.athlete).delete()
    sprint(world, 7.6, NOW - dt.timedelta(days=5))
    data = ladder(plan)
    assert data["baseline"] is None and data["trials"] == 0
    assert set(data["top"]) == {None} and data["ceiling"][-1] == 90
    client.force_login(world.coach)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("coach:athlete", args=[world.athlete.pk])).content.decode()
    assert "No pre-injury top speed on record" in page
    assert 'data-chart="ladder"' not in page


def test_an_outsider_never_sees_the_ladder(client, world, plan):
    client.force_login(world.outsider_coach)
    response = client.get(reverse("coach:athlete", args=[world.athlete.pk]))
    assert response.status_code == 404
