"""Days in phase has one definition (Plan.day_in_phase): the roster, the athlete page, My plan
and the minimum-days gate all read the same number."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from athletes.models import Role
from rehab.gates import evaluate_plan
from rehab.models import GateKind
from rehab.selectors import roster
from tests.factories import TeamFactory, athlete_with_login, staff, start_plan

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_day_the_phase_was_entered_is_day_one():
    athlete = athlete_with_login(TeamFactory())
    with time_machine.travel(NOW, tick=False):
        plan = start_plan(athlete, 1, entered_days_ago=0)
        assert plan.day_in_phase() == 1
        assert plan.day_in_phase(NOW + dt.timedelta(days=10)) == 11
        # A phase entered a minute before local midnight is on day 2 a minute after it.
        plan.phase_entered_at = dt.datetime(2026, 11, 21, 23, 59, tzinfo=LONDON)
        assert plan.day_in_phase(dt.datetime(2026, 11, 22, 0, 1, tzinfo=LONDON)) == 2
        # A clock running behind the entry never gives day 0.
        assert plan.day_in_phase(NOW - dt.timedelta(days=3)) == 1


@pytest.mark.parametrize("entered_days_ago", [0, 10, 13])
def test_roster_athlete_page_my_plan_and_the_min_days_gate_agree(client, entered_days_ago):
    team = TeamFactory()
    coach = staff(team, Role.COACH)
    athlete = athlete_with_login(team)
    day = entered_days_ago + 1
    with time_machine.travel(NOW, tick=False):
        plan = start_plan(athlete, 1, entered_days_ago=entered_days_ago)  # gate: day 14

        (row,) = roster(coach)
        assert row.day_in_phase == day

        client.force_login(coach)
        roster_page = text(client.get(reverse("coach:roster")))
        assert f"day {day} in phase" in roster_page

        response = client.get(reverse("coach:athlete", args=[athlete.pk]))
        assert response.context["day_in_phase"] == day
        athlete_page = text(response)
        assert f"Day {day} in this phase" in athlete_page

        (min_days,) = [g for g in evaluate_plan(plan)["gates"] if g["kind"] == GateKind.MIN_DAYS]
        assert min_days["facts"]["day_in_phase"] == day
        assert min_days["detail"] == f"Day {day} in this phase (the gate needs day 14)"
        assert min_days["status"] == ("met" if day >= 14 else "not_met")
        assert min_days["detail"] in athlete_page

        client.force_login(athlete.user)
        my_plan = client.get(reverse("me:plan"))
        assert my_plan.context["summary"].day_in_phase == day
        assert f"Day {day} in this phase" in text(my_plan)
