"""The expected-timeline band (rehab.timelines, issue 19 item 3): from the injury's grade, the
published days to full training as a band (Pollock et al., BJSM 2022: 2c 34 ± 7 days, 3c
48 ± 17 days, hamstring) and where this athlete's day stands; no band where none is published.
Frozen time."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from rehab.timelines import band_for, timeline_position
from tests.factories import InjuryFactory, start_plan

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)


def injury(world, *, grade=2, bamic_class="c", group="hamstring", days_ago=30):
    return InjuryFactory(
        athlete=world.athlete,
        muscle_group=group,
        grade=grade,
        bamic_class=bamic_class,
        occurred_on=TODAY - dt.timedelta(days=days_ago),
    )


@pytest.mark.parametrize(
    ("days_ago", "where"),
    [(26, "before"), (27, "inside"), (34, "inside"), (41, "inside"), (42, "past")],
)
def test_a_2c_hamstring_injury_against_34_plus_or_minus_7_days(world, days_ago, where):
    position = timeline_position(injury(world, days_ago=days_ago), today=TODAY)
    assert (position.band.low, position.band.high) == (27, 41)
    assert position.grade == "2c" and position.day == days_ago and position.where == where


def test_a_3c_band_is_wider_and_grades_without_data_have_none(world):
    assert (band_for(injury(world, grade=3)).low, band_for(injury(world, grade=3)).high) == (31, 65)
    assert band_for(injury(world, grade=2, bamic_class="b")) is None  # not in the abstract
    assert band_for(injury(world, grade=1, bamic_class="")) is None
    assert band_for(injury(world, group="calf")) is None  # the cohort was hamstrings


def test_the_athlete_page_names_the_band_and_its_source_and_never_says_ready(client, world):
    with time_machine.travel(dt.datetime(2026, 6, 10, 12, tzinfo=dt.UTC), tick=False):
        plan = start_plan(world.athlete, phase_order=3, entered_days_ago=4)
        plan.injury.grade, plan.injury.bamic_class = 2, "c"
        plan.injury.occurred_on = TODAY - dt.timedelta(days=30)
        plan.injury.save()
        client.force_login(world.coach)
        page = client.get(reverse("coach:athlete", args=[world.athlete.pk])).content.decode()
    assert (
        "Day 30 since the injury — inside the usual range for 2c (27–41 days to full training)."
        in page
    )
    assert "Mean 34 ± 7 days in 70 hamstring injuries in elite track and field athletes" in page
    assert 'href="https://doi.org/10.1136/bjsports-2020-103791"' in page
    timeline = page[page.index('id="timeline"') :][:900].lower()
    for word in ("ready", "safe", "cleared"):
        assert word not in timeline


def test_no_band_no_words(client, world):
    start_plan(world.athlete, phase_order=2)  # the factory's injury has no BAMIC class
    client.force_login(world.coach)
    page = client.get(reverse("coach:athlete", args=[world.athlete.pk])).content.decode()
    assert 'id="timeline"' not in page
