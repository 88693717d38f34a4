"""The athlete records through the API: `athletes/` archives and restores (`archived`) and
lists archived athletes only when asked; `injuries/` edits (PATCH) with the page's rules;
flag actions and sign-off decisions name the person beside their id."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.models import Athlete, Injury
from monitoring.services import acknowledge_flag, resolve_flag
from rehab.signoff import request_signoff
from tests.factories import FlagFactory, InjuryFactory, start_plan
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_a_coach_archives_an_athlete_who_then_leaves_the_list(world):
    coach = api(world.coach)
    url = f"/api/v1/athletes/{world.athlete.pk}/"
    assert world.athlete.pk in ids(coach.get("/api/v1/athletes/"))
    archived = coach.patch(url, {"archived": True}, format="json")
    assert archived.status_code == 200, archived.json()
    assert archived.json()["archived"] is True and archived.json()["archived_at"]
    assert world.athlete.pk not in ids(coach.get("/api/v1/athletes/"))
    assert ids(coach.get("/api/v1/athletes/?archived=true")) == {world.athlete.pk}
    # Still reachable by id, with its data.
    assert coach.get(url).json()["archived"] is True
    InjuryFactory(athlete=world.athlete)
    assert len(ids(coach.get(f"/api/v1/injuries/?athlete={world.athlete.pk}"))) == 1
    restored = coach.patch(url, {"archived": False}, format="json")
    assert restored.json()["archived"] is False
    assert world.athlete.pk in ids(coach.get("/api/v1/athletes/"))


@pytest.mark.parametrize("who, status", [("clinician", 403), ("athlete", 403), ("outsider", 404)])
def test_only_the_teams_coach_archives_through_the_api(world, who, status):
    user = {
        "clinician": world.clinician,
        "athlete": world.athlete.user,
        "outsider": world.outsider_coach,
    }[who]
    response = api(user).patch(
        f"/api/v1/athletes/{world.athlete.pk}/", {"archived": True}, format="json"
    )
    assert response.status_code == status
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None
    assert world.athlete.pk not in ids(
        api(world.outsider_coach).get("/api/v1/athletes/?archived=true")
    )


def test_a_coach_creates_and_edits_an_athlete_with_a_dominant_leg(world):
    coach = api(world.coach)
    made = coach.post(
        "/api/v1/athletes/",
        {"team": world.team.pk, "first_name": "Lena", "last_name": "Ford", "dominant_leg": "left"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["dominant_leg"] == "left" and made.json()["archived"] is False
    edited = coach.patch(
        f"/api/v1/athletes/{made.json()['id']}/",
        {"events": "400 m", "team": world.other_team.pk},
        format="json",
    )
    assert edited.status_code == 400 and "team" in edited.json()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    future = coach.patch(
        f"/api/v1/athletes/{made.json()['id']}/", {"date_of_birth": tomorrow}, format="json"
    )
    assert future.status_code == 400 and "date_of_birth" in future.json()
    assert Athlete.objects.get(pk=made.json()["id"]).events == ""
    assert coach.put(f"/api/v1/athletes/{made.json()['id']}/", {}).status_code == 405


def test_an_injury_is_edited_with_patch_and_the_same_rules(world):
    injury = InjuryFactory(athlete=world.athlete, grade=1)
    url = f"/api/v1/injuries/{injury.pk}/"
    coach = api(world.coach)
    done = coach.patch(url, {"grade": 2, "bamic_class": "a", "notes": "MRI read"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["bamic_class"] == "a"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for body, field in [
        ({"occurred_on": tomorrow}, "occurred_on"),
        ({"grade": 5}, "grade"),
        ({"grade": 0}, "bamic_class"),  # grade 0 has no class, and this one has "a"
        ({"muscle": "soleus"}, "muscle"),
        ({"closed_on": tomorrow}, "closed_on"),
        ({"athlete": world.teammate.pk}, "athlete"),
    ]:
        refused = coach.patch(url, body, format="json")
        assert refused.status_code == 400 and field in refused.json(), (body, refused.json())
    injury.refresh_from_db()
    assert (injury.grade, injury.bamic_class, injury.notes) == (2, "a", "MRI read")


@pytest.mark.parametrize("who, status", [("athlete", 403), ("teammate", 403), ("outsider", 404)])
def test_injury_edits_are_for_the_athletes_staff(world, who, status):
    injury = InjuryFactory(athlete=world.athlete, grade=1)
    user = {
        "athlete": world.athlete.user,
        "teammate": world.teammate.user,
        "outsider": world.outsider_coach,
    }[who]
    response = api(user).patch(f"/api/v1/injuries/{injury.pk}/", {"grade": 3}, format="json")
    assert response.status_code == status
    assert Injury.objects.get().grade == 1
    assert (
        api(world.clinician)
        .patch(f"/api/v1/injuries/{injury.pk}/", {"grade": 3}, format="json")
        .status_code
        == 200
    )


def test_flag_actions_carry_the_persons_name(world):
    flag = FlagFactory(athlete=world.athlete)
    acknowledge_flag(flag, by=world.coach, note="seen")
    resolve_flag(flag, by=world.clinician, note="assessed")
    body = api(world.coach).get(f"/api/v1/flags/{flag.pk}/").json()
    assert body["acknowledged_by"] == world.coach.pk
    assert body["acknowledged_by_name"] == "Cora Riverside"
    assert body["resolved_by_name"] == "Cli Riverside"


def test_sign_off_requests_name_who_asked():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    body = api(c.clinician).get(f"/api/v1/signoffs/{request.pk}/").json()
    assert body["requested_by"] == c.coach.pk
    assert body["requested_by_name"] == (c.coach.get_full_name() or c.coach.username)


def test_the_api_refuses_to_archive_an_athlete_in_an_active_plan(world):
    start_plan(world.athlete, 1)
    response = api(world.coach).patch(
        f"/api/v1/athletes/{world.athlete.pk}/", {"archived": True}, format="json"
    )
    assert response.status_code == 400 and "archived" in response.json()
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None
