"""django-axes: N failed sign-ins lock the username out of the page and the API token."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from tests.factories import TeamFactory, staff
from tests.world import named

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def fresh_throttles():
    # The token endpoint's own throttle counts in the cache; keep it out of these tests.
    cache.clear()


@pytest.fixture
def coach(world):
    return named(world.coach, "lockme")


def fail_page(client, times):
    for _ in range(times):
        client.post("/accounts/login/", {"username": "lockme", "password": "wrong"})


def fail_token(client, times):
    for _ in range(times):
        client.post(
            "/api/v1/auth/token/",
            {"username": "lockme", "password": "wrong"},
            content_type="application/json",
        )


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_sign_in_page_locks_out_after_n_failures_even_for_the_right_password(client, coach):
    fail_page(client, LIMIT - 1)
    almost = client.post("/accounts/login/", {"username": "lockme", "password": "wrong"})
    assert almost.status_code == 429  # the Nth failure locks
    locked = client.post("/accounts/login/", {"username": "lockme", "password": "sprintback"})
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed sign-ins; try again in 15 minutes" in body
    assert "ask a staff admin to unlock" in body
    assert '<form method="post"' in body  # still the sign-in page, with the message
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_failures_below_the_limit_do_not_lock_and_a_success_resets_them(client, coach):
    fail_page(client, LIMIT - 1)
    ok = client.post("/accounts/login/", {"username": "lockme", "password": "sprintback"})
    assert ok.status_code == 302
    client.logout()
    fail_page(client, LIMIT - 1)
    assert (
        client.post("/accounts/login/", {"username": "lockme", "password": "sprintback"})
    ).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_api_token_endpoint_locks_out_too(client, coach):
    fail_token(client, LIMIT)
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "lockme", "password": "sprintback"},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert "token" not in response.json()


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_lock_from_the_api_also_holds_on_the_page(client, coach):
    fail_token(client, LIMIT)
    page = client.post("/accounts/login/", {"username": "lockme", "password": "sprintback"})
    assert page.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_axes_reset_unlocks(client, coach):
    fail_page(client, LIMIT)
    assert AccessAttempt.objects.filter(username="lockme").exists()
    call_command("axes_reset_username", "lockme")
    ok = client.post("/accounts/login/", {"username": "lockme", "password": "sprintback"})
    assert ok.status_code == 302
    client.logout()
    fail_page(client, LIMIT)
    call_command("axes_reset")
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "lockme", "password": "sprintback"},
        content_type="application/json",
    )
    assert token.status_code == 200 and token.json()["token"]


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_lock_is_per_username_so_a_teammate_can_still_sign_in(client, coach):
    staff(TeamFactory(), username="teammate")
    fail_page(client, LIMIT)
    ok = client.post("/accounts/login/", {"username": "teammate", "password": "sprintback"})
    assert ok.status_code == 302


def test_staff_admins_can_see_and_delete_lock_outs_in_the_admin(admin_client):
    assert admin_client.get("/admin/axes/accessattempt/").status_code == 200
