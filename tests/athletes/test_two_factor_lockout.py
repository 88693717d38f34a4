"""django-axes still locks out with the second factor: wrong passwords as before, and wrong
codes count too, so a code cannot be guessed by someone who knows the password."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, override_settings

from tests.athletes.helpers import enrol, sign_in, totp_code, wrong_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

LIMIT = 3
VERIFY = "/accounts/two-factor/"


@pytest.fixture
def enrolled(coach):
    return enrol(coach)


def guess(client, clock, *, right=False, code=None):
    """A code typed after the device's back-off (1, 2, 4 … s after each wrong code) is over:
    the one the authenticator shows then, or a wrong one."""
    clock.shift(120)
    code = totp_code() if right else (code or wrong_code())
    return client.post(VERIFY, {"code": code})


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_wrong_codes_lock_the_user_out_like_wrong_passwords(client, coach, enrolled, clock):
    sign_in(client, "coachy")
    for _ in range(LIMIT - 1):
        assert guess(client, clock).status_code == 400
    locked = guess(client, clock)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed sign-ins; try again in 15 minutes" in body
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session  # the half-signed-in session is ended
    # Locked: even the right password and then the right code get nowhere.
    assert sign_in(client, "coachy").status_code == 429
    call_command("axes_reset_username", "coachy")
    assert sign_in(client, "coachy").status_code == 302
    assert guess(client, clock, right=True)["Location"] == "/"


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_right_password_again_does_not_clear_the_wrong_codes(client, coach, enrolled, clock):
    sign_in(client, "coachy")
    for _ in range(LIMIT - 1):
        guess(client, clock)
    client.post("/accounts/logout/")
    assert sign_in(client, "coachy").status_code == 302  # password right: not yet a sign-in
    assert guess(client, clock).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_complete_sign_in_clears_the_failures(client, coach, enrolled, clock):
    sign_in(client, "coachy")
    for _ in range(LIMIT - 1):
        guess(client, clock)
    assert guess(client, clock, right=True)["Location"] == "/"
    assert not AccessAttempt.objects.filter(username="coachy").exists()
    client.post("/accounts/logout/")
    sign_in(client, "coachy")
    for _ in range(LIMIT - 1):
        assert guess(client, clock).status_code == 400


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_wrong_passwords_still_lock_out_a_user_with_an_authenticator(client, coach, enrolled):
    for _ in range(LIMIT):
        client.post("/accounts/login/", {"username": "coachy", "password": "wrong"})
    assert sign_in(client, "coachy").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_wrong_passwords_and_wrong_codes_add_up(client, coach, enrolled, clock):
    client.post("/accounts/login/", {"username": "coachy", "password": "wrong"})
    sign_in(client, "coachy")
    guess(client, clock)
    assert guess(client, clock).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_second_session_cannot_keep_guessing_once_locked(coach, enrolled, clock):
    first, second = Client(), Client()
    sign_in(first, "coachy")
    sign_in(second, "coachy")  # both past the password before the lock
    for _ in range(LIMIT):
        guess(first, clock)
    refused = guess(second, clock, right=True)
    assert refused.status_code == 429
    assert "_auth_user_id" not in second.session
    assert second.get("/coach/")["Location"].startswith("/accounts/login/")


def test_codes_typed_in_quick_succession_wait_for_the_device(client, coach, enrolled, clock):
    sign_in(client, "coachy")
    assert client.post(VERIFY, {"code": wrong_code()}).status_code == 400
    hurried = client.post(VERIFY, {"code": totp_code()})  # at once: the device still waits
    assert hurried.status_code == 400
    assert "Too many wrong codes in a row: wait 1 second, then try again." in (
        hurried.content.decode()
    )
    clock.shift(2)
    assert client.post(VERIFY, {"code": totp_code()})["Location"] == "/"


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_codes_typed_are_not_kept_in_the_lock_out_records(client, coach, enrolled, clock):
    sign_in(client, "coachy")
    code = wrong_code()
    guess(client, clock, code=code)
    attempt = AccessAttempt.objects.get(username="coachy")
    assert code not in attempt.post_data
    assert attempt.failures_since_start == 1
