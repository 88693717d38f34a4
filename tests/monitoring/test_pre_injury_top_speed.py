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


# --- every trial and session says its share, in the API and on the athlete page -------------


def _typed(world, value=10.0):
    Baseline.objects.create(
        athlete=world.athlete,
        metric=MetricKind.objects.get(code="sprint_mss"),
        value=value,
        measured_on=timezone.localdate() - dt.timedelta(days=60),
    )


def _api(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_gives_each_trial_and_session_its_share(world):
    from tests.factories import SessionFactory

    _typed(world)
    session = SessionFactory(athlete=world.athlete, type="fly_in")
    fast = trial(world, 8.6, days_ago=0)
    fast.session = session
    fast.save(update_fields=["session"])
    trial(world, 8.0, days_ago=0)
    api = _api(world.coach)
    listed = api.get("/api/v1/sprints/", {"athlete": world.athlete.pk}).json()["results"]
    shares = sorted(t["top_speed"]["percent"] for t in listed)
    assert shares == pytest.approx([80.0, 86.0], abs=0.2)
    assert listed[0]["top_speed"]["pre_injury_mss"] == 10.0
    assert listed[0]["top_speed"]["pre_injury_source"] == "typed"
    one = api.get(f"/api/v1/sessions/{session.pk}/").json()
    assert one["top_speed"]["percent"] == pytest.approx(86.0, abs=0.2)
    assert one["top_speed"]["mss"] == pytest.approx(8.6, abs=0.02)
    others = [s for s in api.get("/api/v1/sessions/").json()["results"] if s["id"] != session.pk]
    assert all(s["top_speed"]["mss"] is None for s in others)


def test_without_a_baseline_the_share_is_null_and_the_speed_stays(world):
    made = trial(world, 8.6, days_ago=0)
    body = _api(world.coach).get(f"/api/v1/sprints/{made.pk}/").json()
    assert body["top_speed"]["percent"] is None and body["top_speed"]["pre_injury_mss"] is None
    assert body["top_speed"]["mss"] == pytest.approx(8.6, abs=0.02)


def test_a_posted_trial_answers_with_its_share(world):
    _typed(world)
    splits = [
        {"distance_m": d, "time_s": round(t, 3)}
        for d, t in zip(DISTANCES, model_times(DISTANCES, 9.0, 1.2), strict=True)
    ]
    response = _api(world.coach).post(
        "/api/v1/sprints/",
        {"athlete": world.athlete.pk, "splits": splits, "start": "crouch"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["top_speed"]["percent"] == pytest.approx(90.0, abs=0.2)


def test_listing_trials_of_many_athletes_reads_the_top_speeds_once(
    world, django_assert_max_num_queries
):
    from tests.factories import AthleteFactory

    _typed(world)
    trial(world, 8.0, days_ago=1)
    api = _api(world.coach)
    with django_assert_max_num_queries(12) as few:
        api.get("/api/v1/sprints/")
    for _ in range(4):
        other = AthleteFactory(team=world.team)
        Baseline.objects.create(
            athlete=other,
            metric=MetricKind.objects.get(code="sprint_mss"),
            value=9.5,
            measured_on=timezone.localdate() - dt.timedelta(days=60),
        )
        record_sprint_trial(
            other,
            by=world.coach,
            measured_at=timezone.now(),
            splits=[
                {"distance_m": d, "time_s": round(t, 3)}
                for d, t in zip(DISTANCES, model_times(DISTANCES, 8.5, 1.2), strict=True)
            ],
            start="crouch",
        )
    with django_assert_max_num_queries(12) as many:
        results = api.get("/api/v1/sprints/").json()["results"]
    assert len(results) == 5 and all(r["top_speed"]["percent"] for r in results)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_athlete_page_gives_trials_and_sessions_their_share(client, world):
    from tests.factories import SessionFactory, start_plan

    start_plan(world.athlete, phase_order=2, entered_days_ago=3)
    _typed(world)
    session = SessionFactory(athlete=world.athlete, type="fly_in", top_intensity_pct=None)
    made = trial(world, 7.8, days_ago=0)
    made.session = session
    made.save(update_fields=["session"])
    SessionFactory(
        athlete=world.athlete,
        type="acceleration",
        top_intensity_pct=75,
        date=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(world.coach)
    response = client.get(reverse("coach:athlete", args=[world.athlete.pk]))
    page = response.content.decode()
    assert "<td>78.0 %</td>" in page  # the trial, and the session it belongs to
    assert page.count("<td>78.0 %</td>") == 2
    assert '<span title="typed, % of max">75 %*</span>' in page
    ladder = response.context["velocity_ladder"]
    assert ladder["trials"] == 1 and ladder["baseline"] == {"mss": 10.0, "source": "typed"}
    assert ladder["top"][-1] == pytest.approx(78.0, abs=0.2)
    assert set(ladder["ceiling"]) == {80} and set(ladder["phase"]) == {2}
    assert 'data-chart="ladder"' in page
