"""The README's demo logins keep working with the password alone."""

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from athletes.models import Invitation, Team
from tests.athletes.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_demo_users_sign_in_with_the_password_only(client):
    call_command("seed_demo")
    assert not Team.objects.filter(require_staff_2fa=True).exists()
    assert not TOTPDevice.objects.exists()
    for username, home in [
        ("coach", "/coach/"),
        ("clinician", "/clinic/"),
        ("athlete", "/me/"),
        ("coach2", "/coach/"),
        ("staff", "/"),
    ]:
        client.logout()
        response = sign_in(client, username)
        landed = client.get(response["Location"], follow=True)
        assert landed.request["PATH_INFO"] == home, username


def test_the_demo_staff_admin_enters_the_django_admin(client):
    call_command("seed_demo")
    sign_in(client, "staff")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/athletes/team/").status_code == 200


def test_the_demo_coach_administers_riverside_with_one_athlete_invitation_pending(client):
    call_command("seed_demo")
    sign_in(client, "coach")
    page = client.get("/team/")
    assert page.status_code == 200
    assert b"Riverside Sprint Squad" in page.content
    pending = Invitation.objects.get(team__slug="riverside")
    assert (pending.role, pending.status(), pending.invited_by.username) == (
        "athlete",
        "pending",
        "coach",
    )
    assert pending.athlete is not None and pending.athlete.user is None
