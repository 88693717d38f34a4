"""Per-user and per-client request limits (core.throttling): fixed windows, a 429 with
Retry-After beyond the limit, every user counted apart."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from athletes.models import Role
from core.throttling import AnonRateThrottle, UserRateThrottle
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


def test_the_next_window_allows_requests_again(monkeypatch):
    coach = staff(TeamFactory(), Role.COACH)
    client = signed_in(coach)
    now = [60 * 16_667 + 20.0]  # 20 s into a one-minute window
    monkeypatch.setattr(UserRateThrottle, "timer", lambda self: now[0])
    assert [client.get("/api/v1/athletes/").status_code for _ in range(4)] == [200] * 3 + [429]
    assert client.get("/api/v1/athletes/")["Retry-After"] == "40"
    now[0] += 40
    assert client.get("/api/v1/athletes/").status_code == 200


def test_anonymous_clients_are_limited_by_address():
    client = APIClient()
    statuses = [client.get("/api/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert APIClient(REMOTE_ADDR="10.0.0.9").get("/api/schema/").status_code == 200
