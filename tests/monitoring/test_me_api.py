"""/api/v1/me/ carries the person's language, time zone and (athletes) reminder time, changed
with PATCH (a bad value is a 400 at its field and nothing is stored); /api/v1/me/push-
subscriptions/ stores and removes the Web Push subscriptions of the athlete's browsers."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from monitoring import reminders
from monitoring.models import CheckinReminder, NotificationPreference, PushSubscription
from tests.monitoring.fake_push import BrowserKeys

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
SUBSCRIPTIONS = "/api/v1/me/push-subscriptions/"
ENDPOINT = "https://push.example.net/wpush/v2/gAAAAABl-abc"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def subscription_body(endpoint=ENDPOINT, keys=None):
    keys = keys or BrowserKeys()
    return {"endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth}}


# --- me/ --------------------------------------------------------------------------------------


def test_me_gives_language_time_zone_and_the_athletes_reminder(world, settings):
    body = api(world.athlete.user).get(ME).json()
    assert body["athlete"] == world.athlete.pk
    assert body["language"] == ""
    assert body["timezone"] == settings.TIME_ZONE
    assert body["reminder_time"] is None
    assert body["reminder_suggested_time"] is None

    reminders.suggest_reminder_time(world.athlete, dt.time(7, 30), by=world.coach)
    assert api(world.athlete.user).get(ME).json()["reminder_suggested_time"] == "07:30"


def test_an_athlete_patches_time_zone_and_reminder_time_and_is_rescheduled(world):
    answer = api(world.athlete.user).patch(
        ME, {"timezone": "Europe/Madrid", "reminder_time": "07:30"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["timezone"] == "Europe/Madrid"
    assert answer.json()["reminder_time"] == "07:30"
    row = CheckinReminder.objects.get(athlete=world.athlete)
    assert row.time == dt.time(7, 30)
    local = row.next_reminder_at.astimezone(reminders.zone("Europe/Madrid"))
    assert (local.hour, local.minute) == (7, 30)

    off = api(world.athlete.user).patch(ME, {"reminder_time": None}, format="json")
    assert off.json()["reminder_time"] is None
    assert CheckinReminder.objects.get(athlete=world.athlete).next_reminder_at is None


def test_language_for_anyone(world, settings):
    code = settings.LANGUAGES[0][0]
    answer = api(world.coach).patch(ME, {"language": code}, format="json")
    assert answer.status_code == 200
    assert answer.json()["language"] == code


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "../../etc/passwd"),
        ("timezone", ""),
        ("timezone", 7),
        ("timezone", "x" * 500),
        ("timezone", "localtime"),
        ("timezone", "Europe/Madrid\x00"),
        ("reminder_time", "25:00"),
        ("reminder_time", "7.30"),
        ("reminder_time", "07:30:99"),
        ("reminder_time", 730),
        ("reminder_time", ["07:30"]),
        ("language", "xx-klingon"),
        ("language", None),
    ],
)
def test_a_bad_value_is_a_400_at_its_field_and_nothing_is_stored(world, field, value):
    answer = api(world.athlete.user).patch(
        ME, {"timezone": "Europe/Madrid", "reminder_time": "07:30", field: value}, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()
    assert not NotificationPreference.objects.filter(user=world.athlete.user).exists()
    assert not CheckinReminder.objects.filter(athlete=world.athlete).exists()


def test_staff_may_not_set_a_reminder_time(world):
    answer = api(world.coach).patch(
        ME, {"timezone": "Europe/Paris", "reminder_time": "07:30"}, format="json"
    )
    assert answer.status_code == 400
    assert "reminder_time" in answer.json()
    assert not NotificationPreference.objects.filter(user=world.coach).exists()
    # Their own time zone, alone, is theirs to set.
    assert api(world.coach).patch(ME, {"timezone": "Europe/Paris"}, format="json").json()[
        "timezone"
    ] == ("Europe/Paris")
    assert api(world.coach).get(ME).json()["reminder_time"] is None


def test_anonymous_clients_are_refused(world):
    assert APIClient().get(ME).status_code == 401
    assert APIClient().patch(ME, {"timezone": "Europe/Madrid"}, format="json").status_code == 401
    assert APIClient().post(SUBSCRIPTIONS, subscription_body(), format="json").status_code == 401
    assert APIClient().delete(f"{SUBSCRIPTIONS}?endpoint={ENDPOINT}").status_code == 401


# --- push-subscriptions/ ----------------------------------------------------------------------


def test_an_athlete_stores_a_subscription_once_per_endpoint(world):
    client = api(world.athlete.user)
    first = client.post(SUBSCRIPTIONS, subscription_body(), format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["endpoint"] == ENDPOINT
    again = client.post(SUBSCRIPTIONS, subscription_body(), format="json")  # new keys
    assert again.status_code == 200
    assert PushSubscription.objects.filter(endpoint=ENDPOINT).count() == 1
    assert PushSubscription.objects.get().p256dh == again.json()["keys"]["p256dh"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"endpoint": "http://push.example.net/abc"}, ("endpoint",)),
        ({"endpoint": "javascript:alert(1)"}, ("endpoint",)),
        ({"endpoint": "https://"}, ("endpoint",)),
        ({"endpoint": "https://push.example.net/" + "a" * 1100}, ("endpoint",)),
        ({"endpoint": 12}, ("endpoint",)),
        ({"endpoint": "https://[::1/push"}, ("endpoint",)),
        ({"endpoint": "https://push.example.net/a\x00b"}, ("endpoint",)),
        ({"endpoint": "https://push.example.net/a\tb"}, ("endpoint",)),
        ({"keys": {"p256dh": "not base64!", "auth": BrowserKeys().auth}}, ("keys", "p256dh")),
        ({"keys": {"p256dh": "AAAA", "auth": BrowserKeys().auth}}, ("keys", "p256dh")),
        # 65 bytes starting 0x04, but not a point on P-256.
        ({"keys": {"p256dh": "BA" + "A" * 85, "auth": BrowserKeys().auth}}, ("keys", "p256dh")),
        ({"keys": {"p256dh": BrowserKeys().p256dh, "auth": "c2hvcnQ"}}, ("keys", "auth")),
        ({"keys": {"p256dh": BrowserKeys().p256dh}}, ("keys", "auth")),
        ({"keys": "nope"}, ("keys",)),
    ],
)
def test_a_bad_subscription_is_a_400_at_its_field_and_nothing_is_stored(world, change, where):
    body = {**subscription_body(), **change}
    answer = api(world.athlete.user).post(SUBSCRIPTIONS, body, format="json")
    assert answer.status_code == 400
    errors = answer.json()
    for key in where:
        assert key in errors, errors
        errors = errors[key]
    assert not PushSubscription.objects.exists()


def test_delete_removes_the_athletes_own_subscription_by_body_or_query(world):
    client = api(world.athlete.user)
    client.post(SUBSCRIPTIONS, subscription_body(), format="json")
    assert client.delete(SUBSCRIPTIONS, {"endpoint": ENDPOINT}, format="json").status_code == 204
    assert not PushSubscription.objects.exists()

    client.post(SUBSCRIPTIONS, subscription_body(), format="json")
    assert client.delete(f"{SUBSCRIPTIONS}?endpoint={ENDPOINT}").status_code == 204
    assert not PushSubscription.objects.exists()
    # Gone already: still 204 (the client's wish holds).
    assert client.delete(f"{SUBSCRIPTIONS}?endpoint={ENDPOINT}").status_code == 204
    assert client.delete(SUBSCRIPTIONS).status_code == 400


def test_another_person_cannot_remove_a_subscription(world):
    api(world.athlete.user).post(SUBSCRIPTIONS, subscription_body(), format="json")
    outsider = api(world.outsider.user)
    assert outsider.delete(f"{SUBSCRIPTIONS}?endpoint={ENDPOINT}").status_code == 204
    assert PushSubscription.objects.get().user == world.athlete.user


def test_staff_are_refused_push_subscriptions(world):
    answer = api(world.coach).post(SUBSCRIPTIONS, subscription_body(), format="json")
    assert answer.status_code == 403
    assert api(world.coach).delete(f"{SUBSCRIPTIONS}?endpoint={ENDPOINT}").status_code == 403
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("endpoint", ["https://push.example.net/a%00b", "x" * 2000])
def test_a_hostile_endpoint_to_delete_is_a_400(world, endpoint):
    answer = api(world.athlete.user).delete(f"{SUBSCRIPTIONS}?endpoint={endpoint}")
    assert answer.status_code == 400
    assert "endpoint" in answer.json()
