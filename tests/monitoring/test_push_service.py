"""What a reminder push really carries, checked by a local fake push service (a real HTTP
server): a VAPID authorisation whose ES256 signature verifies with our public key and whose
audience is the endpoint's origin, and a payload encrypted for the subscription (aes128gcm)
that only the subscription's private key opens."""

import datetime as dt
import json
import time

import pytest

from core.vapid import new_key_pair
from monitoring import push, reminders
from monitoring.models import PushSubscription
from rehab.reminders import send_due_reminders
from tests.factories import start_plan
from tests.monitoring.fake_push import BrowserKeys, start_fake_push_service, verified_vapid_claims

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 6, 1, 5, 30, tzinfo=dt.UTC)  # 07:30 in Madrid


@pytest.fixture
def vapid(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_key_pair()
    settings.VAPID_SUBJECT = "mailto:reminders@sprintback.example.org"
    return settings


@pytest.fixture
def push_service():
    service = start_fake_push_service()
    yield service
    service.server.shutdown()
    service.server.server_close()


def test_the_push_is_vapid_signed_for_the_endpoints_origin_and_encrypted(
    world, vapid, push_service
):
    athlete = world.athlete
    start_plan(athlete, phase_order=1)
    reminders.set_time_zone(athlete.user, "Europe/Madrid", now=DUE - dt.timedelta(hours=1))
    reminders.set_reminder_time(athlete, dt.time(7, 30), now=DUE - dt.timedelta(hours=1))
    browser = BrowserKeys()
    PushSubscription.objects.create(
        user=athlete.user,
        endpoint=push_service.endpoint("abc123"),
        p256dh=browser.p256dh,
        auth=browser.auth,
    )

    assert send_due_reminders(now=DUE)["push"] == 1

    [request] = push_service.received
    assert request.path == "/push/abc123"
    claims = verified_vapid_claims(request.headers["authorization"], vapid.VAPID_PUBLIC_KEY)
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == "mailto:reminders@sprintback.example.org"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) == push.PUSH_TTL_SECONDS

    # The body is ciphertext: not the text, and only the browser's private key opens it.
    assert b"check-in" not in request.body
    message = json.loads(browser.decrypt(request.body))
    assert message == {
        "title": "Time for your check-in",
        "body": "Pain, sleep and readiness: your daily check-in takes about 15 seconds.",
        "url": "/me/",
    }
    with pytest.raises(Exception):  # noqa: B017 - any failure to open it will do
        BrowserKeys().decrypt(request.body)


def test_a_signature_made_with_another_key_does_not_verify(world, vapid, push_service):
    browser = BrowserKeys()
    subscription = PushSubscription.objects.create(
        user=world.athlete.user,
        endpoint=push_service.endpoint(),
        p256dh=browser.p256dh,
        auth=browser.auth,
    )
    assert push.send_push(subscription, "hello") is push.PushOutcome.SENT
    [request] = push_service.received
    _, other_public = new_key_pair()
    with pytest.raises(Exception):  # noqa: B017 - AssertionError (k=) or InvalidSignature
        verified_vapid_claims(request.headers["authorization"], other_public)


def test_without_vapid_keys_push_is_off_and_nothing_is_posted(world, settings, push_service):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    browser = BrowserKeys()
    subscription = PushSubscription.objects.create(
        user=world.athlete.user,
        endpoint=push_service.endpoint(),
        p256dh=browser.p256dh,
        auth=browser.auth,
    )
    assert push.send_push(subscription, "hello") is push.PushOutcome.FAILED
    assert push_service.received == []
