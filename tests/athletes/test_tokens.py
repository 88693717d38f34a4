"""API tokens: one per device, hashed at rest, expiring, and ended by a password change or
reset, deactivation or erasure — whichever code path writes the user row."""

import datetime as dt
import importlib
import re

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from knox.crypto import hash_token
from rest_framework.test import APIClient

from athletes.models import ApiToken, Role
from athletes.tokens import issue_token
from portal.privacy import erase_athlete
from tests.factories import TeamFactory, UserFactory, athlete_with_login, staff

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
NEW_PASSWORD = "a-much-longer-passphrase-2026"


@pytest.fixture(autouse=True)
def fresh_throttles():
    # The token endpoint's throttle counts in the cache.
    cache.clear()


@pytest.fixture
def maya(world):
    """The world's athlete's account."""
    return world.athlete.user


def ask_for_token(username, password="sprintback", **extra):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json"
    )


def status_with(token) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/athletes/").status_code


def refusal_with(token) -> str:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/athletes/")
    assert response.status_code == 401
    return response.json()["detail"]


# --- the endpoint -------------------------------------------------------------------------


def test_the_endpoint_answers_a_token_for_a_named_device_that_lasts_90_days(maya):
    with time_machine.travel(NOW, tick=False):
        response = ask_for_token(maya.username, name="Maya's phone")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"token", "expiry", "name"}
        assert re.fullmatch(r"[0-9a-f]{64}", body["token"])
        assert body["name"] == "Maya's phone"
        assert dt.datetime.fromisoformat(body["expiry"]) == NOW + dt.timedelta(days=90)
        assert response["Cache-Control"] == "no-store"
        assert status_with(body["token"]) == 200
    assert ApiToken.objects.get().name == "Maya's phone"


def test_the_endpoint_takes_form_fields_too_and_names_an_unnamed_device(maya):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": maya.username, "password": "sprintback"}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Unnamed device"


def test_each_device_gets_its_own_token_and_all_of_them_work(maya):
    phone = ask_for_token(maya.username, name="Maya's phone").json()["token"]
    laptop = ask_for_token(maya.username, name="  timing-gate   laptop ").json()["token"]
    assert phone != laptop
    assert status_with(phone) == status_with(laptop) == 200
    names = sorted(ApiToken.objects.filter(user=maya).values_list("name", flat=True))
    assert names == ["Maya's phone", "timing-gate laptop"]


@pytest.mark.parametrize(
    "name", ["bell\x07", "zero\u200bwidth", "line\nbreak is fine but not\x1b[31m", "x" * 101]
)
def test_a_bad_device_name_is_a_field_error_and_stores_nothing(maya, name):
    response = ask_for_token(maya.username, name=name)
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert not ApiToken.objects.exists()


def test_wrong_credentials_or_an_inactive_account_get_no_token(maya):
    assert ask_for_token(maya.username, password="wrong").status_code == 400
    maya.is_active = False
    maya.save()
    refused = ask_for_token(maya.username)
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert not ApiToken.objects.exists()


def test_an_expired_token_sent_along_does_not_stop_a_client_asking_for_a_new_one(maya):
    with time_machine.travel(NOW, tick=False):
        old = issue_token(maya)[1]
    with time_machine.travel(NOW + dt.timedelta(days=200), tick=False):
        response = APIClient().post(
            "/api/v1/auth/token/",
            {"username": maya.username, "password": "sprintback"},
            format="json",
            HTTP_AUTHORIZATION=f"Token {old}",
        )
        assert response.status_code == 200
        assert status_with(response.json()["token"]) == 200
        # Asking for a new token cleared the expired one.
        assert ApiToken.objects.filter(user=maya).count() == 1


# --- hashed at rest -----------------------------------------------------------------------


def test_the_database_never_holds_a_usable_token(maya):
    token = ask_for_token(maya.username, name="Maya's phone").json()["token"]
    row = ApiToken.objects.get()
    # Stored: knox's SHA-512 digest, and the first 15 characters to find the row by.
    assert row.digest == hash_token(token) and len(row.digest) == 128
    assert token not in row.digest
    assert row.token_key == token[:15]
    # No text column of any table holds the token, or more of it than that prefix.
    secret_part = token[15:]
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                lookup = {f"{field.name}__contains": secret_part}
                assert not model._base_manager.filter(**lookup).exists(), (model, field.name)
    # Neither what is stored nor the fingerprint opens anything.
    for stored in (row.digest, row.token_key, row.password_fingerprint, row.digest[:64]):
        assert status_with(stored) == 401
    assert status_with(token) == 200


@pytest.mark.parametrize(
    "sent",
    [
        "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",  # DRF's plain 40-character tokens
        "",
        "x" * 5000,
        "é" * 64,
        "\x00" * 64,
        "0" * 63 + "\x00",
        "G" * 64,
        "A" * 64,  # hex, but not as knox writes it
    ],
)
def test_old_plain_tokens_and_garbage_are_refused_not_500(maya, sent):
    issue_token(maya)
    assert status_with(sent) == 401


def test_the_migration_drops_drf_plain_tokens_so_they_are_revoked():
    migration = importlib.import_module("athletes.migrations.0004_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id int)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('9944b09199c62bcf94', 1)")
    MigrationRecorder.Migration.objects.create(app="authtoken", name="0001_initial")

    class SchemaEditor:  # what RunPython hands the function
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.revoke_plain_tokens(apps, SchemaEditor())
    assert "authtoken_token" not in connection.introspection.table_names()
    assert not MigrationRecorder.Migration.objects.filter(app="authtoken").exists()


# --- expiry -------------------------------------------------------------------------------


def test_a_token_works_for_90_days_and_is_refused_after(maya):
    with time_machine.travel(NOW, tick=False):
        token = issue_token(maya, name="Maya's phone")[1]
    with time_machine.travel(NOW + dt.timedelta(days=90, seconds=-1), tick=False):
        assert status_with(token) == 200
    with time_machine.travel(NOW + dt.timedelta(days=90), tick=False):
        assert refusal_with(token) == "Token expired; request a new one."


def test_the_lifetime_comes_from_the_settings(maya, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(days=7)}
    with time_machine.travel(NOW, tick=False):
        body = ask_for_token(maya.username).json()
    assert dt.datetime.fromisoformat(body["expiry"]) == NOW + dt.timedelta(days=7)
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        assert status_with(body["token"]) == 401


def test_an_expired_or_revoked_token_costs_one_query(maya, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        token = issue_token(maya)[1]
    with (
        time_machine.travel(NOW + dt.timedelta(days=91), tick=False),
        django_assert_num_queries(1),
    ):
        assert status_with(token) == 401


# --- revoked with the password and the account --------------------------------------------


def test_changing_the_password_revokes_every_token_of_the_person(maya):
    phone, laptop = issue_token(maya, name="phone")[1], issue_token(maya, name="laptop")[1]
    teammate = issue_token(staff(TeamFactory()))[1]
    maya.set_password(NEW_PASSWORD)
    maya.save()
    assert status_with(phone) == status_with(laptop) == 401
    assert not ApiToken.objects.filter(user=maya).exists()  # the save deleted them
    assert status_with(teammate) == 200
    assert status_with(ask_for_token(maya.username, NEW_PASSWORD).json()["token"]) == 200


def test_a_password_written_without_signals_still_revokes_the_tokens(maya):
    """The fingerprint is checked on every request: a queryset update, raw SQL or a restore
    cannot leave a token working under another password."""
    token = issue_token(maya)[1]
    get_user_model().objects.filter(pk=maya.pk).update(password=make_password(NEW_PASSWORD))
    assert ApiToken.objects.filter(user=maya).exists()  # the row is still there, useless
    assert refusal_with(token) == "Token revoked (the password changed); request a new one."


@pytest.mark.urls("tests.athletes.reset_urls")
def test_resetting_the_password_by_email_revokes_every_token(client, maya):
    token = issue_token(maya, name="Maya's phone")[1]
    sent = client.post("/test-auth/password-reset/", {"email": maya.email})
    assert sent.status_code == 302 and len(mail.outbox) == 1
    link = re.search(r"/test-auth/reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done.url == "/test-auth/reset/done/"
    maya.refresh_from_db()
    assert maya.check_password(NEW_PASSWORD)
    assert status_with(token) == 401
    assert not ApiToken.objects.filter(user=maya).exists()


def test_deactivating_the_account_revokes_every_token_for_good(maya):
    token = issue_token(maya)[1]
    maya.is_active = False
    maya.save(update_fields=["is_active"])
    assert status_with(token) == 401
    assert not ApiToken.objects.filter(user=maya).exists()
    maya.is_active = True
    maya.save()
    assert status_with(token) == 401


def test_erasing_the_athlete_revokes_their_tokens():
    team = TeamFactory()
    athlete, coach = athlete_with_login(team), staff(team, Role.COACH)
    token, coach_token = issue_token(athlete.user)[1], issue_token(coach)[1]
    erase_athlete(athlete, by=coach)
    assert status_with(token) == 401
    assert not ApiToken.objects.filter(user=athlete.user).exists()
    assert status_with(coach_token) == 200


def test_signing_in_or_saving_other_fields_keeps_the_tokens(client, maya):
    token = issue_token(maya)[1]
    signed_in = client.post(
        "/accounts/login/", {"username": maya.username, "password": "sprintback"}
    )
    assert signed_in.status_code == 302  # saved last_login
    maya.refresh_from_db()
    maya.first_name = "Maya"
    maya.save()
    ask_for_token(maya.username, name="another device")
    assert status_with(token) == 200
    assert ApiToken.objects.filter(user=maya).count() == 2


def test_a_stronger_password_hash_at_sign_in_ends_the_tokens_as_readme_says(maya, settings):
    """Documented, not wished for: the re-hash is indistinguishable from a new password in the
    user row, as it is for Django's own sessions on other devices."""
    token = issue_token(maya)[1]
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    assert ask_for_token(maya.username).status_code == 200  # re-hashed with scrypt here
    maya.refresh_from_db()
    assert maya.password.startswith("scrypt$")
    assert status_with(token) == 401


# --- integration tokens: no expiry, made by staff in the admin ----------------------------


def test_the_endpoint_never_makes_a_token_that_does_not_expire(maya):
    response = ask_for_token(maya.username, is_integration=True, expiry=None)
    assert response.status_code == 200 and response.json()["expiry"]
    row = ApiToken.objects.get()
    assert row.is_integration is False and row.expiry is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=row.pk).update(expiry=None)


def test_staff_make_an_integration_token_in_the_admin_and_see_it_once(admin_client):
    gate = staff(TeamFactory(), Role.COACH, username="timing-gate")
    with time_machine.travel(NOW, tick=False):
        response = admin_client.post(
            "/admin/athletes/apitoken/add/",
            {"user": gate.pk, "name": "Timing gates, track 1", "is_integration": "on"},
        )
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    plain = re.search(r'<pre id="api-token">([0-9a-f]{64})</pre>', response.content.decode())[1]
    row = ApiToken.objects.get(user=gate)
    assert row.is_integration and row.expiry is None and row.name == "Timing gates, track 1"
    with time_machine.travel(NOW + dt.timedelta(days=3650), tick=False):
        assert status_with(plain) == 200
    # Shown once: neither its page nor the list shows it again.
    for page in (f"/admin/athletes/apitoken/{row.pk}/change/", "/admin/athletes/apitoken/"):
        html = admin_client.get(page).content.decode()
        assert "Timing gates, track 1" in html and plain not in html
    # The same rules as every token: its account's password ends it.
    gate.set_password(NEW_PASSWORD)
    gate.save()
    assert status_with(plain) == 401


def test_a_personal_token_made_in_the_admin_expires(admin_client, maya):
    with time_machine.travel(NOW, tick=False):
        admin_client.post("/admin/athletes/apitoken/add/", {"user": maya.pk, "name": "Spare phone"})
    assert ApiToken.objects.get().expiry == NOW + dt.timedelta(days=90)


def test_the_token_admin_is_for_staff_with_the_permission_only(client, maya):
    add = "/admin/athletes/apitoken/add/"
    client.force_login(staff(TeamFactory(), Role.COACH))
    assert client.get(add).status_code == 302  # not staff: the admin's sign-in
    helper = UserFactory(is_staff=True)
    client.force_login(helper)
    assert client.get(add).status_code == 403
    helper.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_apitoken", "view_apitoken"])
    )
    # A token acts as its user: staff who are not superusers cannot take a staff account's.
    boss = UserFactory(is_staff=True, is_superuser=True)
    refused = client.post(add, {"user": boss.pk, "name": "boss laptop", "is_integration": "on"})
    assert refused.status_code == 200
    assert "Only a superuser may make a token for a staff account." in refused.content.decode()
    unnamed = client.post(add, {"user": maya.pk, "name": "  "})
    assert "This field is required." in unnamed.content.decode()
    assert not ApiToken.objects.exists()
    made = client.post(add, {"user": maya.pk, "name": "club system", "is_integration": "on"})
    assert made.status_code == 200 and ApiToken.objects.get().expiry is None


def test_staff_revoke_anyones_tokens_in_the_admin_and_see_which_still_work(admin_client, maya):
    coach, clinician = staff(TeamFactory(), Role.COACH), staff(TeamFactory(), Role.CLINICIAN)
    with time_machine.travel(NOW - dt.timedelta(days=100), tick=False):
        issue_token(clinician, name="old tablet")
    phone, laptop = issue_token(maya, name="Maya's phone"), issue_token(coach, name="laptop")
    listing = admin_client.get("/admin/athletes/apitoken/").content.decode()
    assert listing.count("Works") == 2 and "Expired" in listing and "None" not in listing
    response = admin_client.post(
        "/admin/athletes/apitoken/",
        {"action": "revoke", "_selected_action": [phone[0].pk]},
        follow=True,
    )
    assert "Revoked 1 API token(s)." in response.content.decode()
    assert status_with(phone[1]) == 401
    assert status_with(laptop[1]) == 200
