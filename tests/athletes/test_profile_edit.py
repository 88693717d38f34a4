"""Editing one's own name and e-mail on the profile: field errors, nothing stored half-way,
a new address needs the current password and may not be another account's."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from athletes.models import Role
from tests.factories import athlete_with_login, staff

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def reloaded(user):
    return get_user_model().objects.get(pk=user.pk)


def test_the_profile_has_the_name_and_email_form(client, coach):
    client.force_login(coach)
    html = client.get(PROFILE).content.decode()
    assert 'name="first_name"' in html and 'value="Sam"' in html
    assert 'name="email"' in html and 'value="coachy@example.com"' in html
    assert 'name="current_password"' in html


def test_a_new_name_is_saved_without_the_password(client, coach):
    client.force_login(coach)
    response = client.post(
        PROFILE, {"first_name": "Samira", "last_name": "Carter", "email": "coachy@example.com"}
    )
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert reloaded(coach).get_full_name() == "Samira Carter"
    assert "Your name and e-mail address are saved." in client.get(PROFILE).content.decode()


def test_a_new_email_needs_the_current_password(client, coach):
    client.force_login(coach)
    body = {"first_name": "Renamed", "last_name": "Carter", "email": "sam@club.example"}
    refused = client.post(PROFILE, body)
    assert refused.status_code == 400
    assert "Type your current password" in refused.content.decode()
    wrong = client.post(PROFILE, {**body, "current_password": "nope"})
    assert "That is not your current password." in wrong.content.decode()
    user = reloaded(coach)
    assert user.email == "coachy@example.com" and user.first_name == "Sam"  # nothing stored
    assert client.post(PROFILE, {**body, "current_password": "sprintback"}).status_code == 302
    assert reloaded(coach).email == "sam@club.example"


def test_the_reset_link_goes_to_the_new_address(client, coach):
    client.force_login(coach)
    client.post(
        PROFILE,
        {
            "first_name": "Sam",
            "last_name": "Carter",
            "email": "sam@club.example",
            "current_password": "sprintback",
        },
    )
    Client().post("/accounts/password/reset/", {"email": "sam@club.example"})
    (message,) = mail.outbox
    assert message.to == ["sam@club.example"]


@pytest.mark.parametrize(
    "email, error",
    [
        ("not-an-address", "Enter a valid email address."),
        ("x" * 300 + "@example.com", "at most 254 characters"),
        ("OTHER@example.com", "Another account uses this address"),
    ],
)
def test_a_bad_or_taken_address_is_refused_at_the_field(client, coach, team, email, error):
    staff(team, Role.CLINICIAN, username="other", email="other@example.com")
    client.force_login(coach)
    response = client.post(
        PROFILE,
        {
            "first_name": "Sam",
            "last_name": "Carter",
            "email": email,
            "current_password": "sprintback",
        },
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert reloaded(coach).email == "coachy@example.com"


def test_a_too_long_name_is_refused_at_the_field(client, coach):
    client.force_login(coach)
    response = client.post(
        PROFILE, {"first_name": "x" * 200, "last_name": "Carter", "email": "coachy@example.com"}
    )
    assert response.status_code == 400 and "first_name" in response.context["profile_form"].errors
    assert reloaded(coach).first_name == "Sam"


def test_an_athlete_edits_their_own_account_in_the_phone_pages(client, team):
    athlete = athlete_with_login(team)
    client.force_login(athlete.user)
    response = client.post(
        PROFILE, {"first_name": "Maya", "last_name": "Okafor", "email": athlete.user.email}
    )
    assert response.status_code == 302
    assert reloaded(athlete.user).get_full_name() == "Maya Okafor"
    assert 'class="bottom-nav"' in client.get(PROFILE).content.decode()


def test_the_post_changes_only_the_signed_in_persons_account(client, coach, team):
    other = staff(team, Role.CLINICIAN, username="other", first_name="Olu")
    client.force_login(coach)
    client.post(
        PROFILE,
        {"first_name": "Sam", "last_name": "X", "email": "coachy@example.com", "id": other.pk},
    )
    assert reloaded(other).first_name == "Olu" and reloaded(coach).last_name == "X"


def test_anonymous_posts_are_sent_to_sign_in(client):
    response = client.post(PROFILE, {"first_name": "Ghost"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
