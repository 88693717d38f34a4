"""Per-user and per-client request limits (DRF's UserRateThrottle and AnonRateThrottle, set in
settings): a 429 with Retry-After beyond the limit, counted over the last period (a sliding
window), every user and every anonymous address counted apart."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from athletes.models import Role
from tests.factories import TeamFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def low_limits(monkeypatch):
    cache.clear()
    rates = {"user": "3/min", "anon": "2/min"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    yield
    cache.clear()


def signed_in(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_user_beyond_the_limit_gets_429_with_retry_after_and_others_are_not_affected():
    team = TeamFactory()
    busy, other = staff(team, Role.COACH), staff(team, Role.CLINICIAN)
    client = signed_in(busy)
    assert [client.get("/api/v1/athletes/").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/athletes/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()
    assert signed_in(other).get("/api/v1/athletes/").status_code == 200


def test_a_request_is_allowed_again_once_the_oldest_has_left_the_last_minute(monkeypatch):
    coach = staff(TeamFactory(), Role.COACH)
    client = signed_in(coach)
    now = [1_000_000.0]
    monkeypatch.setattr(UserRateThrottle, "timer", lambda self: now[0])

    def get_at(seconds):
        now[0] = 1_000_000.0 + seconds
        return client.get("/api/v1/athletes/")

    assert [get_at(t).status_code for t in (0, 10, 20)] == [200] * 3
    refused = get_at(30)
    assert refused.status_code == 429 and refused["Retry-After"] == "30"  # the one at 0 leaves
    assert get_at(60).status_code == 200
    # No fresh allowance at a minute boundary: the requests at 10 and 20 still count.
    refused = get_at(60)
    assert refused.status_code == 429 and refused["Retry-After"] == "10"


def test_anonymous_clients_are_limited_by_address():
    client = APIClient()
    statuses = [client.get("/api/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert APIClient(REMOTE_ADDR="10.0.0.9").get("/api/schema/").status_code == 200
