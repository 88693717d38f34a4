"""The README's demo logins keep working with the password alone."""

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from athletes.models import Team
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
    ]:
        client.logout()
        response = sign_in(client, username)
        landed = client.get(response["Location"], follow=True)
        assert landed.request["PATH_INFO"] == home, username
