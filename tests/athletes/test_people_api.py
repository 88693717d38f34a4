"""The API of people: me/, teams/ and invitations/ — scoped like every resource."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.invitations import create_invitation, invitation_for_token
from athletes.models import Invitation, Role
from tests.factories import AthleteFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def team_admin(world):
    return MembershipFactory(team=world.team, role=Role.ADMIN, user=UserFactory()).user


def test_me_names_the_user_their_roles_teams_and_own_athlete(world):
    MembershipFactory(team=world.team, role=Role.ADMIN, user=world.coach)
    coach = api(world.coach).get("/api/v1/me/").json()
    assert coach["id"] == world.coach.pk and coach["athlete"] is None
    assert coach["display_name"] == world.coach.get_full_name()
    assert sorted(r["role"] for r in coach["roles"]) == ["admin", "coach"]
    assert coach["teams"] == [{"id": world.team.pk, "name": world.team.name}]
    athlete = api(world.athlete.user).get("/api/v1/me/").json()
    assert athlete["athlete"] == world.athlete.pk
    assert athlete["roles"] == [
        {"team": world.team.pk, "team_name": world.team.name, "role": "athlete"}
    ]
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_teams_lists_only_the_users_teams_with_their_roles(world):
    rows = api(world.coach).get("/api/v1/teams/").json()["results"]
    assert rows == [
        {"id": world.team.pk, "name": world.team.name, "slug": world.team.slug, "roles": ["coach"]}
    ]
    assert api(world.coach).get(f"/api/v1/teams/{world.team.pk}/").status_code == 200
    assert api(world.coach).get(f"/api/v1/teams/{world.other_team.pk}/").status_code == 404


def test_a_coach_invites_an_athlete_and_gets_the_one_time_link(world):
    record = AthleteFactory(team=world.team)
    response = api(world.coach).post(
        "/api/v1/invitations/",
        {"team": world.team.pk, "role": "athlete", "athlete": record.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"id", "url", "expires_at"} <= set(body) and body["status"] == "pending"
    token = body["url"].rsplit("/invite/", 1)[1].strip("/")
    assert invitation_for_token(token).pk == body["id"]
    # The link is in the answer that made it only.
    shown = api(world.coach).get(f"/api/v1/invitations/{body['id']}/").json()
    assert shown["url"] is None and shown["athlete"] == record.pk


def test_invitations_the_inviter_may_not_grant_are_403_and_nothing_is_stored(world, team_admin):
    cases = [
        (world.coach, world.other_team, "athlete"),  # another team
        (team_admin, world.other_team, "coach"),
        (world.coach, world.team, "clinician"),  # a coach cannot invite a clinician
        (world.coach, world.team, "admin"),
        (world.clinician, world.team, "athlete"),  # a teammate with the wrong role
        (world.athlete.user, world.team, "athlete"),
    ]
    for user, team, role in cases:
        response = api(user).post(
            "/api/v1/invitations/", {"team": team.pk, "role": role}, format="json"
        )
        assert response.status_code == 403, (user, team, role)
    missing = api(world.coach).post(
        "/api/v1/invitations/", {"team": 2**40, "role": "athlete"}, format="json"
    )
    assert missing.status_code == 403  # an id that does not exist: the same answer
    assert not Invitation.objects.exists()
    allowed = api(team_admin).post(
        "/api/v1/invitations/", {"team": world.team.pk, "role": "clinician"}, format="json"
    )
    assert allowed.status_code == 201


def test_bad_fields_are_400_at_the_field(world):
    cases = {
        "role": {"team": world.team.pk, "role": "owner"},
        "email": {"team": world.team.pk, "role": "athlete", "email": "not-an-address"},
        "team": {"team": "abc", "role": "athlete"},
        "athlete": {"team": world.team.pk, "role": "athlete", "athlete": world.outsider.pk},
    }
    for field, body in cases.items():
        response = api(world.coach).post("/api/v1/invitations/", body, format="json")
        assert response.status_code == 400 and field in response.json(), (field, response.json())
    taken = api(world.coach).post(
        "/api/v1/invitations/",
        {"team": world.team.pk, "role": "athlete", "athlete": world.teammate.pk},
        format="json",
    )
    assert taken.status_code == 400 and "athlete" in taken.json()  # already has a login
    assert not Invitation.objects.exists()


def test_list_show_and_revoke_are_scoped(world, team_admin):
    own = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE).invitation
    staff = create_invitation(by=team_admin, team=world.team, role=Role.COACH).invitation
    theirs = create_invitation(
        by=world.outsider_coach, team=world.other_team, role=Role.ATHLETE
    ).invitation
    listed = {r["id"] for r in api(world.coach).get("/api/v1/invitations/").json()["results"]}
    assert listed == {own.pk}  # a coach sees athlete invitations of their team only
    admin_listed = api(team_admin).get("/api/v1/invitations/").json()["results"]
    assert {r["id"] for r in admin_listed} == {own.pk, staff.pk}
    for user in (world.clinician, world.athlete.user):
        assert api(user).get("/api/v1/invitations/").json()["results"] == []
        assert api(user).get(f"/api/v1/invitations/{own.pk}/").status_code == 404
        assert api(user).delete(f"/api/v1/invitations/{own.pk}/").status_code in (403, 404)
    assert api(world.coach).get(f"/api/v1/invitations/{theirs.pk}/").status_code == 404
    assert api(world.coach).delete(f"/api/v1/invitations/{theirs.pk}/").status_code == 404
    assert api(world.coach).delete(f"/api/v1/invitations/{staff.pk}/").status_code == 404
    assert api(world.coach).delete(f"/api/v1/invitations/{own.pk}/").status_code == 204
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.revoked_at is not None and theirs.revoked_at is None


def test_revoked_used_expired_and_tampered_links_via_the_api(world):
    link = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    client = api(world.coach)
    resent = client.post(f"/api/v1/invitations/{link.invitation.pk}/resend/")
    assert resent.status_code == 200 and resent.json()["url"] != link.url
    assert client.delete(f"/api/v1/invitations/{link.invitation.pk}/").status_code == 204
    assert client.get(f"/api/v1/invitations/{link.invitation.pk}/").json()["status"] == "revoked"
    assert client.post(f"/api/v1/invitations/{link.invitation.pk}/resend/").status_code == 409
    new_url = resent.json()["url"].replace("http://127.0.0.1:8000", "")
    assert client.get(new_url).status_code == 410  # revoked: the page says so
    accepted = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE).invitation
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
    assert client.delete(f"/api/v1/invitations/{accepted.pk}/").status_code == 409
    assert client.get(f"/api/v1/invitations/{accepted.pk}/").json()["status"] == "accepted"
    expired = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE).invitation
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    assert client.get(f"/api/v1/invitations/{expired.pk}/").json()["status"] == "expired"
    assert client.get("/invite/1.tampered/").status_code == 404


def test_the_schema_documents_the_new_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/me/",
        "/api/v1/teams/",
        "/api/v1/invitations/",
        "/api/v1/invitations/{id}/",
    ):
        assert path in schema["paths"], path
    assert "403" in schema["paths"]["/api/v1/invitations/"]["post"]["responses"]
