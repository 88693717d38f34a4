"""The athlete's own pre-injury top speed (monitoring.sprints.pre_injury_top_speed): the typed
baseline of maximal sprinting speed first, else the fastest usable trial before the latest
injury; a trial's page says its top speed as a share of it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from athletes.models import Baseline
from monitoring.models import MetricKind
from monitoring.sprint_profile import model_times
from monitoring.sprints import pre_injury_top_speed, record_sprint_trial
from tests.factories import InjuryFactory

pytestmark = pytest.mark.django_db

DISTANCES = [5, 10, 20, 30, 40]


def trial(world, mss, *, days_ago):
    splits = [
        {"distance_m": d, "time_s": round(t, 3)}
        for d, t in zip(DISTANCES, model_times(DISTANCES, mss, 1.2), strict=True)
    ]
    return record_sprint_trial(
        world.athlete,
        by=world.coach,
        measured_at=timezone.now() - dt.timedelta(days=days_ago),
        splits=splits,
        start="crouch",
    )


def test_nothing_on_record_means_no_baseline(world):
    assert pre_injury_top_speed(world.athlete) is None
    InjuryFactory(athlete=world.athlete, occurred_on=timezone.localdate() - dt.timedelta(days=20))
    trial(world, 8.5, days_ago=5)  # after the injury: no baseline
    assert pre_injury_top_speed(world.athlete) is None


def test_the_fastest_trial_before_the_injury_is_the_baseline(world):
    InjuryFactory(athlete=world.athlete, occurred_on=timezone.localdate() - dt.timedelta(days=20))
    trial(world, 9.2, days_ago=60)
    fastest = trial(world, 9.6, days_ago=40)
    trial(world, 9.9, days_ago=2)  # after the injury: not a pre-injury speed
    baseline = pre_injury_top_speed(world.athlete)
    assert baseline.source == "trials" and baseline.trial == fastest
    assert baseline.value == pytest.approx(9.6, rel=0.005)
    assert baseline.percent(8.64) == pytest.approx(90.0, abs=0.2)


def test_a_typed_baseline_wins_and_the_trial_page_gives_the_share(client, world):
    InjuryFactory(athlete=world.athlete, occurred_on=timezone.localdate() - dt.timedelta(days=20))
    trial(world, 9.6, days_ago=40)
    Baseline.objects.create(
        athlete=world.athlete,
        metric=MetricKind.objects.get(code="sprint_mss"),
        value=10.0,
        measured_on=timezone.localdate() - dt.timedelta(days=60),
    )
    now = trial(world, 8.0, days_ago=1)
    baseline = pre_injury_top_speed(world.athlete)
    assert (baseline.source, baseline.value) == ("typed", 10.0)
    client.force_login(world.coach)
    page = client.get(reverse("coach:sprint", args=[world.athlete.pk, now.pk])).content.decode()
    assert "<strong>80.0 %</strong> of the pre-injury 10.00 m/s (the typed baseline)" in page


def test_the_trial_page_says_when_there_is_no_baseline(client, world):
    now = trial(world, 8.0, days_ago=1)
    client.force_login(world.coach)
    page = client.get(reverse("coach:sprint", args=[world.athlete.pk, now.pk])).content.decode()
    assert "No pre-injury top speed on record" in page
