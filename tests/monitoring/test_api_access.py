"""The API's access matrix: owner / teammate / outsider / athlete role, for every resource."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.models import Flag
from rehab.models import SignOffRequest
from tests.factories import (
    CheckInFactory,
    FlagFactory,
    MeasurementFactory,
    SessionFactory,
    start_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    """The shared world's people, and one row of every resource of its athlete (in a plan in
    phase 5, with a pending sign-off); the outsider has a check-in and a flag too."""
    me = world.athlete
    plan = start_plan(me, phase_order=5)
    request = SignOffRequest.objects.create(
        plan=plan,
        kind="return_to_play",
        target_phase=plan.protocol.phases.get(order=6),
        requested_at=timezone.now(),
    )
    objects = {
        "athletes": me.pk,
        "injuries": plan.injury_id,
        "plans": plan.pk,
        "checkins": CheckInFactory(athlete=me).pk,
        "sessions": SessionFactory(athlete=me).pk,
        "measurements": MeasurementFactory(athlete=me).pk,
        "flags": FlagFactory(athlete=me).pk,
        "signoffs": request.pk,
    }
    outsider_athlete = world.outsider
    CheckInFactory(athlete=outsider_athlete)
    FlagFactory(athlete=outsider_athlete)
    return {
        "objects": objects,
        "me": me,
        "users": {
            "owner": me.user,
            "teammate": world.teammate.user,
            "coach": world.coach,
            "clinician": world.clinician,
            "outsider_coach": world.outsider_coach,
            "outsider_athlete": outsider_athlete.user,
        },
    }


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


EXPECTED = {
    "owner": 200,
    "coach": 200,
    "clinician": 200,
    "teammate": 404,
    "outsider_coach": 404,
    "outsider_athlete": 404,
}


@pytest.mark.parametrize("who, status", EXPECTED.items())
@pytest.mark.parametrize(
    "resource",
    ["athletes", "injuries", "plans", "checkins", "sessions", "measurements", "flags", "signoffs"],
)
def test_object_endpoints_are_scoped(world, resource, who, status):
    response = client_for(world["users"][who]).get(
        f"/api/v1/{resource}/{world['objects'][resource]}/"
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "resource",
    ["athletes", "injuries", "plans", "checkins", "sessions", "measurements", "flags", "signoffs"],
)
def test_no_list_endpoint_returns_another_teams_rows(world, resource):
    for who in ("teammate", "outsider_coach", "outsider_athlete"):
        rows = client_for(world["users"][who]).get(f"/api/v1/{resource}/").json()["results"]
        assert world["objects"][resource] not in {row["id"] for row in rows}, who
    rows = client_for(world["users"]["coach"]).get(f"/api/v1/{resource}/").json()["results"]
    assert world["objects"][resource] in {row["id"] for row in rows}


def test_anonymous_requests_get_401(world):
    for resource in world["objects"]:
        assert APIClient().get(f"/api/v1/{resource}/").status_code == 401


def test_an_athlete_posts_their_own_checkin_but_not_a_teammates(world):
    me = world["me"]
    body = {
        "pain_rest": 1,
        "pain_activity": 2,
        "pain_morning": 1,
        "taken_at": (timezone.now() - dt.timedelta(days=3)).isoformat(),
    }
    assert (
        client_for(me.user)
        .post("/api/v1/checkins/", {**body, "athlete": me.pk}, format="json")
        .status_code
        == 201
    )
    for who in ("teammate", "outsider_athlete", "outsider_coach"):
        response = client_for(world["users"][who]).post(
            "/api/v1/checkins/", {**body, "athlete": me.pk}, format="json"
        )
        assert response.status_code == 400 and "athlete" in response.json(), who


def test_athletes_cannot_write_staff_resources(world):
    athlete = world["users"]["owner"]
    flag = world["objects"]["flags"]
    client = client_for(athlete)
    assert client.post(f"/api/v1/flags/{flag}/acknowledge/", {}).status_code == 403
    assert (
        client.post(
            "/api/v1/measurements/",
            {"athlete": world["me"].pk, "metric": "split_30m", "value": 4.1},
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/athletes/", {"team": world["me"].team_id, "first_name": "X", "last_name": "Y"}
        ).status_code
        == 403
    )


def test_outsider_coach_cannot_act_on_a_flag(world):
    flag = world["objects"]["flags"]
    response = client_for(world["users"]["outsider_coach"]).post(
        f"/api/v1/flags/{flag}/acknowledge/"
    )
    assert response.status_code == 404
    assert Flag.objects.get(pk=flag).status == "open"
