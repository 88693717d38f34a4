"""/accounts/tokens/: a person sees and revokes their own API tokens, and nobody else's."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from athletes.models import ApiToken, Role
from athletes.tokens import issue_token
from tests.factories import TeamFactory, athlete_with_login, staff

pytestmark = pytest.mark.django_db

LIST = "/accounts/tokens/"
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def revoke_url(token):
    return f"/accounts/tokens/{token.pk}/revoke/"


def status_with(plain) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client.get("/api/v1/athletes/").status_code


def person(team, role):
    return athlete_with_login(team).user if role == Role.ATHLETE else staff(team, role)


def test_the_page_has_the_name_the_profile_page_links_to():
    assert reverse("accounts-tokens") == LIST


def test_the_owner_sees_their_working_tokens_in_words(client, team):
    maya = person(team, Role.ATHLETE)
    with time_machine.travel(NOW, tick=False):
        issue_token(maya, name="Maya's phone")
        issue_token(maya, name="timing-gate laptop")
    with time_machine.travel(NOW - dt.timedelta(days=95), tick=False):
        ApiToken.objects.create(maya, expiry=dt.timedelta(days=90), name="old tablet")
    gone = issue_token(maya, name="before the reset")[0]
    ApiToken.objects.filter(pk=gone.pk).update(password_fingerprint="0" * 64)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        client.force_login(maya)
        response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maya&#x27;s phone" in html and "timing-gate laptop" in html
    assert "Created 26 Nov 2026" in html and "expires 24 Feb 2027" in html
    assert "A token lasts 90 days" in html
    # Expired and revoked tokens no longer exist for their owner.
    assert "old tablet" not in html and "before the reset" not in html
    assert "None" not in html
    assert html.count("Revoke</button>") == 2


def test_an_integration_token_reads_as_one_that_never_expires(client, team):
    coach = person(team, Role.COACH)
    issue_token(coach, name="club system", integration=True)
    client.force_login(coach)
    assert "integration token, never expires" in client.get(LIST).content.decode()


def test_a_person_without_tokens_is_told_so(client, team):
    client.force_login(person(team, Role.CLINICIAN))
    html = client.get(LIST).content.decode()
    assert "No app or device uses the API with your account." in html


def test_the_owner_revokes_one_token_and_the_others_keep_working(client, team):
    maya = person(team, Role.ATHLETE)
    phone, phone_plain = issue_token(maya, name="Maya's phone")
    _, laptop_plain = issue_token(maya, name="timing-gate laptop")
    client.force_login(maya)
    response = client.post(revoke_url(phone), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    html = response.content.decode()
    assert "Revoked “Maya&#x27;s phone”: it can no longer use your account." in html
    assert "timing-gate laptop" in html and "Revoke Maya" not in html
    assert status_with(phone_plain) == 401
    assert status_with(laptop_plain) == 200


@pytest.mark.parametrize("owner_role", [Role.ATHLETE, Role.COACH, Role.CLINICIAN])
@pytest.mark.parametrize("viewer", ["teammate athlete", "teammate coach", "outsider"])
def test_nobody_else_sees_or_revokes_a_persons_tokens(client, team, owner_role, viewer):
    owner = person(team, owner_role)
    token, plain = issue_token(owner, name="Owner's own phone")
    other = {
        "teammate athlete": lambda: person(team, Role.ATHLETE),
        "teammate coach": lambda: person(team, Role.COACH),
        "outsider": lambda: person(TeamFactory(), Role.COACH),
    }[viewer]()
    issue_token(other, name="viewer's device")
    client.force_login(other)
    html = client.get(LIST).content.decode()
    assert "Owner&#x27;s own phone" not in html and "viewer&#x27;s device" in html
    assert client.post(revoke_url(token)).status_code == 404
    assert status_with(plain) == 200


def test_signed_out_visitors_are_sent_to_sign_in_and_revoke_nothing(client, team):
    token, plain = issue_token(person(team, Role.ATHLETE))
    for response in (client.get(LIST), client.post(revoke_url(token))):
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert status_with(plain) == 200


def test_revoking_takes_a_post_and_an_id_that_exists(client, team):
    maya = person(team, Role.ATHLETE)
    token, plain = issue_token(maya)
    client.force_login(maya)
    assert client.get(revoke_url(token)).status_code == 405
    assert client.post("/accounts/tokens/999999/revoke/").status_code == 404
    assert client.post("/accounts/tokens/x/revoke/").status_code == 404
    assert client.post(revoke_url(token)).status_code == 302
    assert client.post(revoke_url(token)).status_code == 404  # already revoked
    assert status_with(plain) == 401


def test_the_list_is_paginated_and_its_queries_do_not_grow(
    client, team, django_assert_max_num_queries
):
    maya = person(team, Role.ATHLETE)
    issue_token(maya, name="device 0")
    client.force_login(maya)
    # 6: session, user, the two-factor rule (athletes.middleware), the count, the roles of the
    # page header, the page.
    with django_assert_max_num_queries(6) as few:
        client.get(LIST)
    for n in range(1, 30):
        issue_token(maya, name=f"device {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get(LIST).content.decode()
    assert first.count("Revoke</button>") == 25 and "page 1 of 2" in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert second.count("Revoke</button>") == 5 and "device 0" in second
