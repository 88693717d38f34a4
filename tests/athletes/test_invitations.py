"""Invitations: who may invite whom, the single-use link, the people page and the accept page,
and `manage.py createteam`."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from athletes.access import role_for_athlete, staff_of_teams, visible_athletes
from athletes.invitations import (
    InvitationRefused,
    InvitationUnusable,
    accept_invitation,
    create_invitation,
    invitation_for_token,
    resend_invitation,
    revoke_invitation,
)
from athletes.models import Athlete, Invitation, Membership, Role, Team
from tests.factories import AthleteFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
PASSWORD = "a-long-Track-password-91"


@pytest.fixture
def team_admin(world):
    """A pure team admin of the owner team (no coach or clinician role)."""
    return MembershipFactory(team=world.team, role=Role.ADMIN, user=UserFactory()).user


def path_of(link_url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link_url)


def accept_form(**overrides):
    return {
        "first_name": "Nia",
        "last_name": "Cole",
        "username": "nia",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


# --- who may invite whom ----------------------------------------------------------------------


def test_a_team_admin_invites_every_role_in_their_team(world, team_admin):
    for role in Role.values:
        link = create_invitation(by=team_admin, team=world.team, role=role)
        assert link.invitation.role == role


def test_a_coach_invites_athletes_but_not_a_clinician_coach_or_admin(world):
    assert create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    for role in (Role.CLINICIAN, Role.COACH, Role.ADMIN):
        with pytest.raises(InvitationRefused) as refused:
            create_invitation(by=world.coach, team=world.team, role=role)
        assert refused.value.field == "role"
    assert not Invitation.objects.exclude(role=Role.ATHLETE).exists()


def test_nobody_invites_into_a_team_they_do_not_manage(world, team_admin):
    for by in (team_admin, world.coach, world.clinician, world.athlete.user):
        with pytest.raises(InvitationRefused):
            create_invitation(by=by, team=world.other_team, role=Role.ATHLETE)
    for by in (world.clinician, world.athlete.user):
        with pytest.raises(InvitationRefused):
            create_invitation(by=by, team=world.team, role=Role.ATHLETE)
    assert not Invitation.objects.exists()


def test_an_athlete_record_of_another_team_or_with_a_login_cannot_be_named(world):
    foreign = AthleteFactory(team=world.other_team)
    for athlete in (foreign, world.teammate):
        with pytest.raises(Exception) as refused:
            create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE, athlete=athlete)
        assert "athlete" in refused.value.message_dict
    assert not Invitation.objects.exists()


def test_a_team_admin_alone_sees_no_athlete_data_and_a_coach_admin_still_coaches(world, team_admin):
    assert not visible_athletes(team_admin).exists()
    assert role_for_athlete(team_admin, world.athlete) is None
    MembershipFactory(team=world.team, role=Role.ADMIN, user=world.coach)
    assert role_for_athlete(world.coach, world.athlete) == Role.COACH
    assert visible_athletes(world.coach).filter(pk=world.athlete.pk).exists()


# --- the link ---------------------------------------------------------------------------------


def test_only_a_digest_of_the_link_is_stored(world):
    link = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    secret = link.token.split(".", 1)[1]
    assert secret not in link.invitation.token_hash and len(link.invitation.token_hash) == 64
    assert link.url.startswith("http://") and link.token in link.url
    assert invitation_for_token(link.token) == link.invitation


@time_machine.travel(NOW, tick=False)
def test_expired_used_revoked_and_tampered_links_are_refused(world, settings):
    settings.INVITATION_DAYS = 7
    used, revoked, expired, kept = (
        create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE) for _ in range(4)
    )
    accept_invitation(
        used.invitation, first_name="A", last_name="B", username="ab", password=PASSWORD
    )
    revoke_invitation(revoked.invitation)
    pk, secret = kept.token.split(".")
    later = NOW + dt.timedelta(days=7, seconds=1)
    cases = {
        used.token: "accepted",
        revoked.token: "revoked",
        f"{pk}.{secret[:-1]}x": "unknown",
        f"{int(pk) + 1000}.{secret}": "unknown",
        f"{pk}": "unknown",
        "garbage": "unknown",
    }
    for token, status in cases.items():
        with pytest.raises(InvitationUnusable) as refused:
            invitation_for_token(token)
        assert refused.value.status == status, token
    with pytest.raises(InvitationUnusable) as refused:
        invitation_for_token(expired.token, now=later)
    assert refused.value.status == "expired"
    assert invitation_for_token(kept.token) == kept.invitation


def test_a_link_works_once_even_from_two_tabs(world):
    link = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    stale = Invitation.objects.get(pk=link.invitation.pk)  # the second tab's copy
    accept_invitation(
        link.invitation, first_name="A", last_name="B", username="ab", password=PASSWORD
    )
    with pytest.raises(InvitationUnusable):
        accept_invitation(stale, first_name="C", last_name="D", username="cd", password=PASSWORD)
    assert not Athlete.objects.filter(first_name="C").exists()


def test_a_resend_makes_a_new_link_and_expiry_and_the_old_link_dies(world):
    with time_machine.travel(NOW, tick=False):
        first = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        second = resend_invitation(first.invitation)
        assert second.invitation.expires_at == NOW + dt.timedelta(days=10)
        with pytest.raises(InvitationUnusable):
            invitation_for_token(first.token)
        assert invitation_for_token(second.token).pk == first.invitation.pk


# --- the people page --------------------------------------------------------------------------


def test_the_people_page_is_for_the_team_admin_and_the_coach_of_the_team(world, team_admin):
    create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE, email="x@example.com")
    create_invitation(by=world.outsider_coach, team=world.other_team, role=Role.ATHLETE)
    for user in (team_admin, world.coach):
        client = Client()
        client.force_login(user)
        page = client.get("/team/")
        assert page.status_code == 200
        assert world.team.name.encode() in page.content and b"x@example.com" in page.content
        assert world.other_team.name.encode() not in page.content
    for user in (world.clinician, world.athlete.user):
        client = Client()
        client.force_login(user)
        assert client.get("/team/").status_code == 403
        assert client.get("/team/invite/").status_code == 403


def test_inviting_on_the_page_shows_the_link_and_qr_code_and_sends_the_email(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.coach)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/team/invite/",
            {"team": world.team.pk, "role": "athlete", "email": "nia@example.com"},
        )
    assert page.status_code == 200
    invitation = Invitation.objects.get()
    url = page.context["link"].url
    assert url.encode() in page.content and b'class="qr" src="data:image/svg+xml' in page.content
    assert [m.to for m in mail.outbox] == [["nia@example.com"]]
    assert url in mail.outbox[0].body and world.coach.get_full_name() in mail.outbox[0].subject
    assert (invitation.team, invitation.role, invitation.invited_by) == (
        world.team,
        "athlete",
        world.coach,
    )


def test_the_page_refuses_another_team_and_a_role_the_coach_may_not_grant(client, world):
    client.force_login(world.coach)
    foreign = client.post("/team/invite/", {"team": world.other_team.pk, "role": "athlete"})
    assert foreign.status_code == 200 and "team" in foreign.context["form"].errors
    clinician = client.post("/team/invite/", {"team": world.team.pk, "role": "clinician"})
    assert clinician.status_code == 200 and "role" in clinician.context["form"].errors
    assert not Invitation.objects.exists()


def test_resend_and_revoke_on_the_page_are_scoped_to_the_teams_managed(client, world):
    own = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    theirs = create_invitation(by=world.outsider_coach, team=world.other_team, role=Role.ATHLETE)
    client.force_login(world.coach)
    for action in ("resend", "revoke"):
        assert client.post(f"/team/invitations/{theirs.invitation.pk}/{action}/").status_code == 404
    resent = client.post(f"/team/invitations/{own.invitation.pk}/resend/")
    assert resent.status_code == 200 and b"the old one no longer works" in resent.content
    with pytest.raises(InvitationUnusable):
        invitation_for_token(own.token)
    assert client.post(f"/team/invitations/{own.invitation.pk}/revoke/").status_code == 302
    own.invitation.refresh_from_db()
    theirs.invitation.refresh_from_db()
    assert own.invitation.revoked_at is not None and theirs.invitation.revoked_at is None
    # A teammate with the wrong role (the clinician) may not.
    clinic = Client()
    clinic.force_login(world.clinician)
    assert clinic.post(f"/team/invitations/{own.invitation.pk}/resend/").status_code == 403


def test_a_coach_cannot_see_or_revoke_the_admins_staff_invitations(client, world, team_admin):
    staff_invite = create_invitation(by=team_admin, team=world.team, role=Role.CLINICIAN)
    client.force_login(world.coach)
    assert client.post(f"/team/invitations/{staff_invite.invitation.pk}/revoke/").status_code == 404


# --- the accept page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, home",
    [("athlete", "/me/"), ("coach", "/coach/"), ("clinician", "/clinic/"), ("admin", "/team/")],
)
def test_accepting_creates_the_login_and_membership_and_lands_on_the_roles_home(
    client, world, team_admin, role, home
):
    link = create_invitation(by=team_admin, team=world.team, role=role)
    page = client.get(path_of(link.url))
    assert page.status_code == 200
    expected = f"invited you to <strong>{world.team.name}</strong> as <strong>"
    assert expected.encode() in page.content
    response = client.post(path_of(link.url), accept_form())
    assert response.status_code == 302 and response["Location"] == home
    user = Membership.objects.get(team=world.team, role=role, user__username="nia").user
    assert user.check_password(PASSWORD) and user.get_full_name() == "Nia Cole"
    assert client.get(home, follow=True).status_code == 200
    if role == "athlete":
        assert Athlete.objects.get(user=user).team == world.team
    else:
        assert not Athlete.objects.filter(user=user).exists()


def test_an_athlete_invitation_for_a_record_links_that_record(client, world):
    record = AthleteFactory(team=world.team, first_name="Nia", last_name="Cole")
    link = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE, athlete=record)
    client.post(path_of(link.url), accept_form(username="nia@example.com"))
    record.refresh_from_db()
    assert record.user.username == "nia@example.com" and record.user.email == "nia@example.com"
    assert Athlete.objects.filter(team=world.team, first_name="Nia").count() == 1


def test_bad_input_on_the_accept_page_stores_nothing_and_says_where(client, world):
    link = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    url = path_of(link.url)
    cases = {
        "password2": accept_form(password2="something-else-42"),
        "password1": accept_form(password1="123", password2="123"),
        "username": accept_form(username=world.coach.username),
        "first_name": accept_form(first_name=""),
    }
    for field, data in cases.items():
        page = client.post(url, data)
        assert page.status_code == 200 and field in page.context["form"].errors, field
    assert not Athlete.objects.filter(first_name="Nia").exists()
    assert Invitation.objects.get().accepted_at is None


def test_used_expired_revoked_and_tampered_links_explain_themselves_and_change_nothing(
    client, world
):
    used = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    client.post(path_of(used.url), accept_form())
    client.logout()
    revoked = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    revoke_invitation(revoked.invitation)
    expired = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    Invitation.objects.filter(pk=expired.invitation.pk).update(expires_at=timezone.now())
    tampered = path_of(expired.url)[:-3] + "abc/"
    users = Membership.objects.count()
    for url, status, words in [
        (path_of(used.url), 410, b"already used"),
        (path_of(revoked.url), 410, b"withdrawn"),
        (path_of(expired.url), 410, b"expired"),
        (tampered, 404, b"not valid"),
        ("/invite/99999.nothing/", 404, b"not valid"),
    ]:
        for response in (client.get(url), client.post(url, accept_form(username="other"))):
            assert response.status_code == status and words in response.content, url
    assert Membership.objects.count() == users


def test_a_signed_in_visitor_is_asked_to_sign_out_first(client, world):
    link = create_invitation(by=world.coach, team=world.team, role=Role.ATHLETE)
    client.force_login(world.teammate.user)
    page = client.get(path_of(link.url))
    assert b"sign out first" in page.content
    client.post(path_of(link.url), accept_form())
    assert Invitation.objects.get().accepted_at is None
    # "Sign out and continue" comes back to the link, signed out.
    out = client.post("/accounts/logout/", {"next": path_of(link.url)})
    assert out["Location"] == path_of(link.url)
    assert b"Create my login" in client.get(path_of(link.url)).content


# --- createteam -------------------------------------------------------------------------------


def test_createteam_makes_the_team_and_prints_a_link_that_works(
    client, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("createteam", "Eastside Flyers", admin="lee@example.com", stdout=out)
    team = Team.objects.get(name="Eastside Flyers")
    assert team.slug == "eastside-flyers"
    url = re.search(r"http://\S+", out.getvalue()).group(0)
    assert [m.to for m in mail.outbox] == [["lee@example.com"]] and url in mail.outbox[0].body
    assert b"invited you (lee@example.com) to" in client.get(path_of(url)).content
    response = client.post(path_of(url), accept_form(username="lee@example.com"))
    assert response["Location"] == "/team/"
    assert Membership.objects.filter(team=team, role=Role.ADMIN, user__username="lee@example.com")
    assert client.get("/team/").status_code == 200


def test_createteam_refuses_a_duplicate_name_and_a_bad_address_clearly(world):
    call_command("createteam", "Eastside Flyers", admin="lee@example.com", stdout=io.StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("createteam", "eastside flyers", admin="kim@example.com")
    with pytest.raises(CommandError, match="not an e-mail"):
        call_command("createteam", "Westside", admin="nobody")
    assert Team.objects.filter(name__iexact="eastside flyers").count() == 1
    assert not Team.objects.filter(name="Westside").exists()


def test_someone_with_two_staff_roles_in_a_team_is_notified_once(world):
    MembershipFactory(team=world.team, role=Role.CLINICIAN, user=world.coach)
    MembershipFactory(team=world.team, role=Role.ADMIN, user=world.coach)
    assert sorted(staff_of_teams([world.team.pk])[world.team.pk]) == sorted(
        [world.coach.pk, world.clinician.pk]
    )
    assert role_for_athlete(world.coach, world.athlete) == Role.COACH


def test_a_pure_team_admin_lands_on_people_and_is_kept_out_of_athlete_data(
    client, world, team_admin
):
    client.force_login(team_admin)
    assert client.get("/")["Location"] == "/team/"
    assert client.get("/coach/").status_code == 403
    assert client.get(f"/athletes/{world.athlete.pk}/").status_code == 404
    assert client.get("/api/v1/athletes/").json()["results"] == []
    assert client.get("/api/v1/checkins/").json()["results"] == []
    page = client.get("/team/")
    assert b'href="/team/"' in page.content and b"Roster" not in page.content
