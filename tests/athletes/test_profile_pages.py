"""The profile page and the account actions on it: each acts on the signed-in person alone."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from athletes.models import Role
from tests.athletes.helpers import enrol, sign_in, totp_code, verified_login, wrong_code
from tests.factories import TeamFactory, UserFactory, athlete_with_login, staff

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
NEW_CODES = "/accounts/profile/backup-codes/"
REMOVE = "/accounts/profile/two-factor/remove/"

# Every new page and action, and the method it answers.
NEW_PAGES = [
    ("get", PROFILE),
    ("post", NEW_CODES),
    ("post", REMOVE),
    ("get", "/accounts/password/change/"),
    ("get", "/accounts/password/change/done/"),
    ("get", "/accounts/two-factor/"),
    ("get", "/accounts/two-factor/setup/"),
    ("get", "/accounts/two-factor/backup-codes/"),
]


@pytest.mark.parametrize("method, url", NEW_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("method, url", NEW_PAGES)
@pytest.mark.parametrize("role", ["coach", "clinician", "athlete", "outsider", "no_team"])
def test_every_new_page_answers_every_role_without_an_error(client, team, method, url, role):
    people = {
        "coach": lambda: staff(team, Role.COACH),
        "clinician": lambda: staff(team, Role.CLINICIAN),
        "athlete": lambda: athlete_with_login(team).user,
        "outsider": lambda: staff(TeamFactory(), Role.COACH),
        "no_team": UserFactory,
    }
    client.force_login(people[role]())
    response = getattr(client, method)(url)
    assert response.status_code in (200, 302, 400, 404), response.status_code
    if response.status_code == 200:
        html = response.content.decode()
        assert "None" not in re.sub(r"<[^>]+>", " ", html)
        assert " style=" not in html and "<style" not in html and "<script>" not in html


def test_the_profile_shows_the_persons_own_name_email_and_links(client, coach):
    client.force_login(coach)
    html = client.get(PROFILE).content.decode()
    assert "Sam Carter" in html and "coachy@example.com" in html
    assert 'href="/accounts/password/change/"' in html
    assert "Two-factor sign-in" in html and "Off" in html
    assert 'href="/accounts/two-factor/setup/"' in html
    assert "Roster" in html  # the coach's own navigation


def test_a_missing_name_and_email_read_as_words(client, team):
    user = staff(team, Role.COACH, username="plain", email="", first_name="", last_name="")
    client.force_login(user)
    html = client.get(PROFILE).content.decode()
    assert "Not given" in html and "No e-mail address on file" in html


def test_staff_and_athlete_pages_link_to_the_profile(client, coach, team):
    client.force_login(coach)
    assert f'href="{PROFILE}"' in client.get("/coach/").content.decode()
    client.force_login(athlete_with_login(team).user)
    assert f'href="{PROFILE}"' in client.get("/me/").content.decode()


def test_a_pure_athlete_sees_the_profile_in_the_phone_pages_without_two_factor(client, team):
    athlete = athlete_with_login(team, first_name="Maya")
    client.force_login(athlete.user)
    html = client.get(PROFILE).content.decode()
    assert 'class="bottom-nav"' in html and "css/me.css" in html
    assert "Maya Test" in html  # the athlete record's name when the account has none
    assert "Two-factor" not in html
    assert 'href="/accounts/password/change/"' in html


def test_the_profile_links_to_the_api_tokens_page(client, coach):
    client.force_login(coach)
    assert 'href="/accounts/tokens/"' in client.get(PROFILE).content.decode()


def test_an_enrolled_coach_sees_the_status_and_how_many_backup_codes_are_left(client, coach, clock):
    codes = enrol(coach)
    sign_in(client, "coachy")
    client.post("/accounts/two-factor/", {"code": codes[0]})
    html = client.get(PROFILE).content.decode()
    assert "On" in html and "9 backup codes left." in html
    assert "Make new backup codes" in html and "Turn two-factor sign-in off" in html


def test_new_backup_codes_replace_the_old_set_and_are_shown_once(client, coach):
    old = enrol(coach)
    verified_login(client, coach)
    response = client.post(NEW_CODES)
    assert response["Location"].startswith("/accounts/two-factor/backup-codes/")
    shown = re.findall(
        r"<code>([a-z2-7]{4})-([a-z2-7]{4})</code>",
        client.get(response["Location"]).content.decode(),
    )
    new = {a + b for a, b in shown}
    assert len(new) == 10
    stored = set(StaticToken.objects.filter(device__user=coach).values_list("token", flat=True))
    assert stored == new and not stored & set(old)


def test_new_backup_codes_need_an_authenticator(client, coach):
    client.force_login(coach)
    response = client.post(NEW_CODES, follow=True)
    assert "Set up an authenticator app first" in response.content.decode()
    assert not StaticToken.objects.exists()


def test_turning_it_off_needs_a_current_code(client, coach, clock):
    enrol(coach)
    verified_login(client, coach)
    refused = client.post(REMOVE, {"code": wrong_code()})
    assert refused.status_code == 400
    assert "That code is not right" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=coach).exists()
    clock.shift(5)
    removed = client.post(REMOVE, {"code": totp_code()}, follow=True)
    assert "Two-factor sign-in is off" in removed.content.decode()
    assert not TOTPDevice.objects.filter(user=coach).exists()
    assert not StaticToken.objects.filter(device__user=coach).exists()
    # From now on the password alone signs in.
    other = Client()
    assert other.get(sign_in(other, "coachy")["Location"], follow=True).request["PATH_INFO"] == (
        "/coach/"
    )


def test_turning_it_off_is_refused_when_the_team_requires_it(client, strict_coach, clock):
    enrol(strict_coach)
    verified_login(client, strict_coach)
    html = client.get(PROFILE).content.decode()
    assert "Your team requires two-factor sign-in, so it cannot be turned off." in html
    assert 'id="remove-two-factor"' not in html
    response = client.post(REMOVE, {"code": totp_code()}, follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=strict_coach).exists()


def test_account_actions_touch_only_the_signed_in_persons_own_devices(client, coach, team, clock):
    owner_codes = enrol(coach)
    for who in (
        staff(team, Role.COACH),  # a teammate
        staff(team, Role.CLINICIAN),
        athlete_with_login(team).user,
        staff(TeamFactory(), Role.COACH),  # an outsider
    ):
        client.force_login(who)
        # The owner's own code and backup code do nothing for anyone else.
        client.post(REMOVE, {"code": totp_code()})
        client.post(REMOVE, {"code": owner_codes[0]})
        client.post(NEW_CODES)
        html = client.get(PROFILE).content.decode()
        assert "coachy" not in html and "Sam Carter" not in html
        codes_page = client.get("/accounts/two-factor/backup-codes/").content.decode()
        assert not any(f"{code[:4]}-{code[4:]}" in codes_page for code in owner_codes)
    assert TOTPDevice.objects.filter(user=coach).count() == 1
    stored = set(StaticToken.objects.filter(device__user=coach).values_list("token", flat=True))
    assert stored == set(owner_codes)
