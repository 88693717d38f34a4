"""API writes from a signed-in browser (the API docs' "Try it out", the browsable API): session
authentication with CSRF enforced, as a real browser meets it."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from monitoring.models import CheckIn, Measurement, TrainingSession

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    """A browser that signed in on the login page, CSRF checks on: it holds the session and
    the CSRF cookie a page would read the token from."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {
            "username": user.username,
            "password": "sprintback",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302, "sign-in failed"
    return client


def post(client, path, body, *, csrf=True):
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value} if csrf else {}
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def world(world):
    """The shared world's athlete and coach, and the other team's coach."""
    return {
        "athlete": world.athlete,
        "coach": world.coach,
        "outsider": world.outsider_coach,
    }


def checkin(athlete, /, **extra):
    return {"athlete": athlete.pk, "pain_rest": 1, "pain_activity": 2, "pain_morning": 1, **extra}


def measurement(athlete, /, **extra):
    return {"athlete": athlete.pk, "metric": "split_30m", "value": 4.2, **extra}


def session(athlete, /, **extra):
    return {
        "athlete": athlete.pk,
        "date": timezone.localdate().isoformat(),
        "type": "technique",
        "duration_min": 30,
        "rpe": 4,
        **extra,
    }


def test_an_athlete_signed_in_by_session_posts_a_checkin(world):
    client = signed_in(world["athlete"].user)

    response = post(client, "/api/v1/checkins/", checkin(world["athlete"]))

    assert response.status_code == 201, response.content
    assert CheckIn.objects.get().athlete == world["athlete"]


def test_a_coach_signed_in_by_session_posts_a_measurement_and_a_session(world):
    client = signed_in(world["coach"])

    measured = post(client, "/api/v1/measurements/", measurement(world["athlete"]))
    trained = post(client, "/api/v1/sessions/", session(world["athlete"]))

    assert measured.status_code == 201, measured.content
    assert trained.status_code == 201, trained.content
    assert Measurement.objects.get().logged_by == world["coach"]
    assert TrainingSession.objects.get().load == 120


@pytest.mark.parametrize(
    "who, path, body, field",
    [
        ("athlete", "/api/v1/checkins/", lambda a: checkin(a, pain_rest=11), "pain_rest"),
        ("athlete", "/api/v1/checkins/", lambda a: checkin(a, athlete="me"), "athlete"),
        ("coach", "/api/v1/measurements/", lambda a: measurement(a, metric="nope"), "metric"),
        ("coach", "/api/v1/measurements/", lambda a: measurement(a, value="fast"), "value"),
        ("coach", "/api/v1/sessions/", lambda a: session(a, rpe=11), "rpe"),
        ("coach", "/api/v1/sessions/", lambda a: session(a, type="nap"), "type"),
        ("outsider", "/api/v1/sessions/", lambda a: session(a), "athlete"),
    ],
)
def test_a_bad_body_from_a_session_is_a_400_naming_the_field(world, who, path, body, field):
    user = world[who] if who != "athlete" else world["athlete"].user
    client = signed_in(user)

    response = post(client, path, body(world["athlete"]))

    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(
    "who, path, body",
    [
        ("athlete", "/api/v1/checkins/", checkin),
        ("coach", "/api/v1/measurements/", measurement),
        ("coach", "/api/v1/sessions/", session),
    ],
)
def test_a_session_post_without_the_csrf_token_is_refused(world, who, path, body):
    user = world[who] if who != "athlete" else world["athlete"].user
    client = signed_in(user)

    response = post(client, path, body(world["athlete"]), csrf=False)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not CheckIn.objects.exists() and not Measurement.objects.exists()
    assert not TrainingSession.objects.exists()
