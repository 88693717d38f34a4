"""Signing in with the second factor: who is asked, who must enrol first, who never is."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from athletes.models import Membership, Role
from tests.athletes.helpers import enrol, sign_in, totp_code, verified_login, wrong_code
from tests.factories import AthleteFactory, TeamFactory, UserFactory, athlete_with_login, staff

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


def lands_on(client, response) -> str:
    """Follow redirects; the path of the page finally shown."""
    followed = client.get(response["Location"], follow=True)
    assert followed.status_code == 200
    return followed.request["PATH_INFO"]


def test_a_coach_whose_team_requires_it_and_has_no_authenticator_sets_one_up_before_any_page(
    client, strict_coach
):
    response = sign_in(client, "strictcoach")
    assert response.status_code == 302
    assert lands_on(client, response) == SETUP
    for page in ("/", "/coach/", "/clinic/", "/me/", "/accounts/profile/", "/admin/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{SETUP}?next="), page
    # Not stopped: the health check, the two-factor pages, signing out.
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get(VERIFY).status_code == 302  # nothing to verify yet: to the setup
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_coach_with_an_authenticator_is_asked_for_the_code_after_the_password(
    client, coach, clock
):
    enrol(coach)  # voluntarily: the team does not require it
    response = sign_in(client, "coachy")
    assert response.status_code == 302
    assert lands_on(client, response) == VERIFY
    page = client.get("/coach/")
    assert page["Location"] == f"{VERIFY}?next=%2Fcoach%2F"
    assert "Enter your code" in client.get(page["Location"]).content.decode()


def test_a_wrong_code_is_refused_and_the_right_one_opens_the_page_asked_for(
    client, strict_coach, clock
):
    enrol(strict_coach)
    sign_in(client, "strictcoach")
    wrong = client.post(VERIFY, {"code": wrong_code(), "next": "/coach/"})
    assert wrong.status_code == 400
    assert "That code is not right, or it was already used." in wrong.content.decode()
    assert client.get("/coach/").status_code == 302  # still not through

    clock.shift(5)  # django-otp makes the device wait a second after a wrong code
    right = client.post(VERIFY, {"code": totp_code(), "next": "/coach/"})
    assert right.status_code == 302 and right["Location"] == "/coach/"
    roster = client.get("/coach/")
    assert roster.status_code == 200 and "Squad" in roster.content.decode()


def test_the_right_code_without_a_next_page_leads_home_to_the_roster(client, strict_coach, clock):
    enrol(strict_coach)
    sign_in(client, "strictcoach")
    response = client.post(VERIFY, {"code": totp_code()})
    assert response["Location"] == "/"
    assert lands_on(client, response) == "/coach/"


def test_an_empty_code_is_refused_at_the_field(client, coach, clock):
    enrol(coach)
    sign_in(client, "coachy")
    response = client.post(VERIFY, {})
    assert response.status_code == 400
    assert "Type the code." in response.content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:1"])
def test_the_code_page_sends_only_to_pages_of_this_site(client, coach, clock, target):
    enrol(coach)
    sign_in(client, "coachy")
    response = client.post(VERIFY, {"code": totp_code(), "next": target})
    assert response["Location"] == "/"


def test_the_verified_session_changes_its_key(client, coach, clock):
    enrol(coach)
    sign_in(client, "coachy")
    before = client.session.session_key
    client.post(VERIFY, {"code": totp_code()})
    assert client.session.session_key != before


def test_a_backup_code_works_once_and_only_once(client, strict_coach, clock):
    codes = enrol(strict_coach)
    sign_in(client, "strictcoach")
    shown = f"{codes[0][:4]}-{codes[0][4:].upper()}"  # as printed, typed in capitals
    assert client.post(VERIFY, {"code": shown})["Location"] == "/"
    assert client.get("/coach/").status_code == 200
    assert StaticToken.objects.filter(device__user=strict_coach).count() == 9

    client.post("/accounts/logout/")
    sign_in(client, "strictcoach")
    clock.shift(60)
    again = client.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 400
    assert client.get("/coach/").status_code == 302
    clock.shift(60)
    assert client.post(VERIFY, {"code": codes[1]})["Location"] == "/"


def test_a_pure_athlete_signs_in_with_the_password_only_even_when_the_team_requires_it(
    client, strict_team
):
    athlete = athlete_with_login(strict_team)
    response = sign_in(client, athlete.user.username)
    assert lands_on(client, response) == "/me/"
    for page in ("/me/", "/me/plan/", "/me/history/", "/accounts/profile/"):
        assert client.get(page).status_code == 200, page
    profile = client.get("/accounts/profile/").content.decode()
    assert "Two-factor" not in profile
    # The two-factor pages have nothing for them.
    assert client.get(VERIFY)["Location"] == "/"
    assert client.get(SETUP).status_code == 404
    with override_settings(STAFF_REQUIRE_2FA=True):
        assert client.get("/me/").status_code == 200


def test_a_coach_who_is_also_an_athlete_is_not_a_pure_athlete(client, strict_team):
    coach = staff(strict_team, Role.COACH, username="playercoach")
    AthleteFactory(team=strict_team, user=coach)
    sign_in(client, "playercoach")
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


@override_settings(STAFF_REQUIRE_2FA=True)
def test_staff_require_2fa_makes_every_coach_clinician_and_admin_set_it_up(client, team):
    staff(team, Role.COACH, username="c1")
    staff(team, Role.CLINICIAN, username="c2")
    UserFactory(username="admin1", is_staff=True, is_superuser=True)
    for username in ("c1", "c2", "admin1"):
        client.logout()
        response = sign_in(client, username)
        assert lands_on(client, response) == SETUP, username
    athlete = athlete_with_login(team)
    client.logout()
    assert lands_on(client, sign_in(client, athlete.user.username)) == "/me/"


def test_staff_require_2fa_reads_the_environment_and_defaults_to_false():
    from tests.config.test_settings import settings_seen_with

    code = "print(settings.STAFF_REQUIRE_2FA)"
    assert settings_seen_with(code, STAFF_REQUIRE_2FA="true").splitlines()[-1] == "True"
    assert settings_seen_with(code, STAFF_REQUIRE_2FA="").splitlines()[-1] == "False"


def test_a_malformed_staff_require_2fa_fails_at_start_with_its_name():
    from tests.config.test_settings import start

    result = start(STAFF_REQUIRE_2FA="perhaps")
    assert result.returncode != 0
    assert "STAFF_REQUIRE_2FA='perhaps' is not a boolean" in result.stderr


def test_a_team_admin_of_a_requiring_team_sets_one_up_too(client, strict_team):
    # The admin lets coaches in: the team's rule covers them although they see no pain data.
    staff(strict_team, Role.ADMIN, username="strictadmin")
    assert lands_on(client, sign_in(client, "strictadmin")) == SETUP


def test_a_team_that_does_not_require_it_leaves_its_staff_to_the_password(client, coach):
    TeamFactory(require_staff_2fa=True)  # another team's rule is not theirs
    assert lands_on(client, sign_in(client, "coachy")) == "/coach/"


def test_staff_of_a_requiring_team_who_is_an_athlete_elsewhere_is_asked_by_the_staff_role(
    client, strict_team
):
    # Coach of a free team, athlete in the strict one: the team's rule covers its staff only.
    free_team = TeamFactory()
    user = staff(free_team, Role.COACH, username="both")
    Membership.objects.create(user=user, team=strict_team, role=Role.ATHLETE)
    AthleteFactory(team=strict_team, user=user)
    assert lands_on(client, sign_in(client, "both")) == "/coach/"


def test_turning_the_team_setting_on_stops_a_signed_in_coach_at_the_next_page(client, coach):
    client.force_login(coach)
    assert client.get("/coach/").status_code == 200
    coach.memberships.get().team.__class__.objects.update(require_staff_2fa=True)
    response = client.get("/coach/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_a_session_without_its_code_gets_403_from_the_api_and_htmx_a_full_page_redirect(
    client, coach
):
    enrol(coach)
    client.force_login(coach)
    api = client.get("/api/v1/athletes/")
    assert api.status_code == 403
    assert "Two-factor sign-in is not complete" in api.json()["detail"]
    htmx = client.get("/coach/?q=a", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == VERIFY
    posted = client.post("/coach/", {})
    assert posted.status_code == 302 and posted["Location"] == VERIFY


def test_the_admin_is_behind_the_second_factor_too(client, clock):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    enrol(admin)
    client.post("/admin/login/", {"username": "boss", "password": "sprintback"})
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    verified_login(client, admin)
    assert client.get("/admin/").status_code == 200


def test_staff_admins_set_the_team_requirement_in_the_admin(admin_client, strict_team):
    listing = admin_client.get("/admin/athletes/team/").content.decode()
    assert "Staff must use two-factor sign-in" in listing
    change = admin_client.get(reverse("admin:athletes_team_change", args=[strict_team.pk]))
    assert 'name="require_staff_2fa"' in change.content.decode()
    assert "Athletes are never asked" in change.content.decode()


def test_staff_admins_can_remove_a_lost_authenticator_in_the_admin(admin_client, coach):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrol(coach)
    index = admin_client.get("/admin/").content.decode()
    assert "Two-factor sign-in: authenticator apps" in index
    assert "Two-factor sign-in: backup codes" in index
    assert admin_client.get("/admin/otp_static/staticdevice/").status_code == 200
    listing = admin_client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "coachy" in listing and TOTPDevice.objects.get().key not in listing
    device = TOTPDevice.objects.get()
    deleted = admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not TOTPDevice.objects.exists()
