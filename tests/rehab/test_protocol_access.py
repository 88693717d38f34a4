"""Who reads which protocols: one rule (athletes.access.protocols_for) for the pages and the API.

Coaches and clinicians read the shipped templates and their teams' own protocols; an athlete
reads the templates and the protocol of their own plan, not their team's other protocols (a
team's copy may be made for, and named after, one teammate). Before the access layer, the API
let an athlete list every protocol of their team, and the coach pages and the API disagreed
for a person who is staff in one team and an athlete in another.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from athletes.models import Role
from rehab.models import Protocol
from rehab.services import assign_protocol, copy_protocol
from tests.factories import (
    InjuryFactory,
    MembershipFactory,
    athlete_with_login,
    template,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    """The shared world, with a team protocol assigned to its athlete, another of the team
    not assigned, and one of the other team."""
    team, other, coach, me = world.team, world.other_team, world.coach, world.athlete
    mine = copy_protocol(template(), team=team, by=coach, name="Hamstring, our way")
    teammates = copy_protocol(template(), team=team, by=coach, name="For Maya's left hamstring")
    assign_protocol(InjuryFactory(athlete=me), mine, by=coach)
    outsider = world.outsider_coach
    theirs = copy_protocol(template(), team=other, by=outsider)
    templates = set(Protocol.objects.filter(team=None).values_list("pk", flat=True))
    return {
        "team": team,
        "other": other,
        "coach": coach,
        "clinician": world.clinician,
        "me": me,
        "outsider": outsider,
        "templates": templates,
        "mine": mine.pk,
        "teammates": teammates.pk,
        "theirs": theirs.pk,
    }


def api_ids(user) -> set[int]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/protocols/")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def page_ids(client, user) -> set[int]:
    client.force_login(user)
    response = client.get(reverse("coach:protocols"))
    assert response.status_code == 200
    return {p.pk for p in response.context["protocols"]}


def test_staff_read_the_templates_and_their_teams_protocols_on_the_pages_and_the_api(client, world):
    team_protocols = world["templates"] | {world["mine"], world["teammates"]}
    for who in ("coach", "clinician"):
        assert api_ids(world[who]) == page_ids(client, world[who]) == team_protocols, who
    outsider = world["templates"] | {world["theirs"]}
    assert api_ids(world["outsider"]) == page_ids(client, world["outsider"]) == outsider


def test_an_athlete_reads_the_templates_and_their_own_plans_protocol_only(world):
    me = world["me"].user
    assert api_ids(me) == world["templates"] | {world["mine"]}
    client = APIClient()
    client.force_authenticate(me)
    assert client.get(f"/api/v1/protocols/{world['mine']}/").status_code == 200
    # Their team's other protocol (before the access layer: 200) and another team's: 404.
    assert client.get(f"/api/v1/protocols/{world['teammates']}/").status_code == 404
    assert client.get(f"/api/v1/protocols/{world['theirs']}/").status_code == 404


def test_staff_in_one_team_and_athlete_in_another_read_the_same_protocols_everywhere(client, world):
    # Coach of the other team and an athlete of this one, on "Hamstring, our way".
    person = world["me"].user
    MembershipFactory(user=person, team=world["other"], role=Role.COACH)
    expected = world["templates"] | {world["theirs"], world["mine"]}
    assert api_ids(person) == page_ids(client, person) == expected


def test_a_protocol_outside_the_rule_cannot_be_copied_or_used_for_a_plan(client, world):
    coach = world["outsider"]
    client.force_login(coach)
    copy = reverse("coach:protocol-copy", args=[world["teammates"]])
    assert client.post(copy, {"team": world["other"].pk}).status_code == 404
    api = APIClient()
    api.force_authenticate(coach)
    theirs = athlete_with_login(world["other"])
    body = {"injury": InjuryFactory(athlete=theirs).pk, "protocol": world["teammates"]}
    response = api.post("/api/v1/plans/", body, format="json")
    assert response.status_code == 400 and "protocol" in response.json()
