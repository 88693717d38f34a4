"""The coach's sprint trial pages: type the splits on the athlete's page, the profile is fitted
on save and shown on the trial's own page; bad rows are refused at their field and store
nothing; another team's coach is turned away."""

import pytest
from django.urls import reverse

from monitoring.models import Measurement, SprintTrial
from monitoring.sprint_profile import model_times

pytestmark = pytest.mark.django_db

DISTANCES = [5, 10, 20, 30, 40]


def rows(distances, times):
    body = {"start": "crouch", "measured_at": "", "run_in_m": "", "body_mass_kg": "", "notes": ""}
    for row, (distance, time) in enumerate(zip(distances, times, strict=True), 1):
        body[f"distance_{row}"] = str(distance)
        body[f"time_{row}"] = f"{time:.3f}"
    return body


def test_a_coach_records_a_trial_and_reads_its_profile(client, world):
    athlete = world.athlete
    client.force_login(world.coach)
    new = reverse("coach:sprint-new", args=[athlete.pk])
    assert client.get(new).status_code == 200
    times = model_times(DISTANCES, 9.0, 1.2)
    body = {**rows(DISTANCES, times), "body_mass_kg": "72", "notes": "tailwind +0.4"}
    response = client.post(new, body)
    trial = SprintTrial.objects.get(athlete=athlete)
    assert response.status_code == 302
    assert response["Location"] == reverse("coach:sprint", args=[athlete.pk, trial.pk])
    assert trial.mss == pytest.approx(9.0, rel=0.005) and trial.quality == "good"
    assert trial.f0 is not None
    assert Measurement.objects.filter(sprint_trial=trial, source="derived").count() >= 4

    page = client.get(response["Location"]).content.decode()
    assert "9.00 m/s" in page and "Good fit" in page and "tailwind +0.4" in page
    assert "N/kg" in page and "None" not in page
    athlete_page = client.get(reverse("coach:athlete", args=[athlete.pk])).content.decode()
    assert reverse("coach:sprint", args=[athlete.pk, trial.pk]) in athlete_page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_3": ""}, "time_3"),  # a distance without its time
        ({"distance_2": ""}, "distance_2"),  # a time without its distance
        ({"time_2": "fast"}, "time_2"),
        ({"distance_2": "1e400"}, "distance_2"),
        ({"distance_3": "8"}, None),  # distances not rising: the service's rule
        ({"start": "rolling"}, "start"),
        ({"start": "flying"}, None),  # a flying start needs its run-in
        ({"body_mass_kg": "-3"}, None),
    ],
)
def test_bad_rows_are_refused_at_their_field_and_nothing_is_stored(client, world, change, field):
    client.force_login(world.coach)
    body = {**rows(DISTANCES, model_times(DISTANCES, 9.0, 1.2)), **change}
    response = client.post(reverse("coach:sprint-new", args=[world.athlete.pk]), body)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors
    assert not SprintTrial.objects.exists()


def test_another_teams_coach_and_the_athlete_are_turned_away(client, world):
    client.force_login(world.coach)
    body = rows(DISTANCES, model_times(DISTANCES, 8.5, 1.1))
    client.post(reverse("coach:sprint-new", args=[world.athlete.pk]), body)
    trial = SprintTrial.objects.get()
    detail = reverse("coach:sprint", args=[world.athlete.pk, trial.pk])

    client.force_login(world.outsider_coach)
    assert client.get(detail).status_code == 404
    assert (
        client.post(reverse("coach:sprint-new", args=[world.athlete.pk]), body).status_code == 404
    )
    # Their own athlete's address with this trial's id: not theirs either.
    assert (
        client.get(reverse("coach:sprint", args=[world.outsider.pk, trial.pk])).status_code == 404
    )
    client.force_login(world.athlete.user)
    assert client.get(detail).status_code in (302, 403)
    assert SprintTrial.objects.count() == 1
