"""Password change (signed in) and reset by e-mail: Django's own views, in our pages."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, override_settings

from tests.athletes.helpers import enrol, sign_in, verified_login
from tests.factories import athlete_with_login

pytestmark = pytest.mark.django_db

CHANGE = "/accounts/password/change/"
RESET = "/accounts/password/reset/"
NEW = "a-Longer-new-passphrase-42"


def password_ok(username, password) -> bool:
    return get_user_model().objects.get(username=username).check_password(password)


def change(client, old="sprintback", new=NEW, again=None):
    return client.post(
        CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


def test_the_change_page_asks_for_the_current_password_and_the_new_one_twice(client, coach):
    client.force_login(coach)
    html = client.get(CHANGE).content.decode()
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'name="{name}"' in html
    assert "Change your password" in html
    assert "<script>" not in html and " style=" not in html


def test_a_wrong_current_password_changes_nothing(client, coach):
    client.force_login(coach)
    response = change(client, old="not-my-password")
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert password_ok("coachy", "sprintback")


@pytest.mark.parametrize(
    "new, again, message",
    [
        ("short", "short", "This password is too short"),
        ("password123", "password123", "This password is too common"),
        (NEW, NEW + "x", "The two password fields didn’t match"),
        ("", "", "This field is required"),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused_at_the_field(
    client, coach, new, again, message
):
    client.force_login(coach)
    response = change(client, new=new, again=again)
    assert message in response.content.decode()
    assert password_ok("coachy", "sprintback")


def test_changing_the_password_keeps_this_session_and_signs_out_every_other(coach):
    here, elsewhere = Client(), Client()
    sign_in(here, "coachy")
    sign_in(elsewhere, "coachy")
    response = change(here)
    assert response["Location"] == "/accounts/password/change/done/"
    assert password_ok("coachy", NEW)
    assert "Your new password is set" in here.get(response["Location"]).content.decode()
    assert here.get("/coach/").status_code == 200
    assert elsewhere.get("/coach/")["Location"].startswith("/accounts/login/")


def test_changing_the_password_keeps_this_sessions_second_factor(client, coach):
    enrol(coach)
    verified_login(client, coach)
    change(client)
    assert client.get("/coach/").status_code == 200


def test_an_athlete_changes_their_password_in_the_phone_pages(client, team):
    athlete = athlete_with_login(team, first_name="Maya")
    client.force_login(athlete.user)
    html = client.get(CHANGE).content.decode()
    assert 'class="bottom-nav"' in html and "css/me.css" in html
    assert change(client).status_code == 302


def test_the_sign_in_page_links_to_the_reset_page(client):
    assert f'href="{RESET}"' in client.get("/accounts/login/").content.decode()


def reset_link(address) -> str:
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [address]
    assert message.subject == "Reset your Sprintback password"
    links = re.findall(
        r"https://sprintback\.example\.org(/accounts/password/reset/\S+/)", message.body
    )
    assert len(links) == 1, message.body
    return links[0]


@override_settings(SITE_URL="https://sprintback.example.org")
def test_a_password_reset_from_request_to_sign_in_with_the_new_password(client, coach):
    requested = client.post(RESET, {"email": "COACHY@example.com"})
    assert requested["Location"] == "/accounts/password/reset/sent/"
    assert "Check your e-mail" in client.get(requested["Location"]).content.decode()
    link = reset_link("coachy@example.com")
    body = mail.outbox[0].body
    assert "Hello Sam Carter" in body and "works once, for 3 days" in body
    assert "None" not in body

    opened = client.get(link)
    assert opened.status_code == 302  # Django moves the token out of the address
    form_page = client.get(opened["Location"])
    assert "Set a new password" in form_page.content.decode()
    done = client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/accounts/password/reset/complete/"
    assert "Password set" in client.get(done["Location"]).content.decode()
    assert password_ok("coachy", NEW)

    assert sign_in(Client(), "coachy", NEW)["Location"] == "/"
    # The link works once.
    again = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in again
    assert "works once, for 3 days" in again


@override_settings(SITE_URL="https://sprintback.example.org")
def test_a_reset_link_expires(client, coach):
    client.post(RESET, {"email": "coachy@example.com"})
    link = reset_link("coachy@example.com")
    with time_machine.travel(dt.timedelta(days=3, hours=1), tick=False):
        page = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in page
    assert password_ok("coachy", "sprintback")


@override_settings(SITE_URL="https://sprintback.example.org")
def test_a_tampered_reset_link_is_refused(client, coach, team):
    client.post(RESET, {"email": "coachy@example.com"})
    link = reset_link("coachy@example.com")
    _, _, _, _, uid, token, _ = link.split("/")
    other = athlete_with_login(team).user
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    other_uid = urlsafe_base64_encode(force_bytes(other.pk))
    tampered = [
        f"{RESET}{uid}/{token[:-1]}{'a' if token[-1] != 'a' else 'b'}/",
        f"{RESET}{other_uid}/{token}/",  # someone else's account with this token
        f"{RESET}{uid}/not-a-token/",
        f"{RESET}!!!/{token}/",
        f"{RESET}{urlsafe_base64_encode(b'999999')}/{token}/",  # nobody's
    ]
    for url in tampered:
        response = Client().get(url, follow=True)
        assert response.status_code == 200, url
        assert "This link does not work" in response.content.decode(), url
        posted = Client().post(url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
        assert posted.status_code == 200
    assert password_ok("coachy", "sprintback")
    assert password_ok(other.username, "sprintback")


def test_an_unknown_address_sees_the_same_page_and_no_mail_is_sent(client, coach):
    response = client.post(RESET, {"email": "nobody@example.com"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["", "not-an-address", "a@" + "b" * 300 + ".com", "\x00@x.org"])
def test_a_malformed_address_is_refused_at_the_field(client, email):
    response = client.post(RESET, {"email": email})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert mail.outbox == []


def test_a_reset_keeps_the_second_factor(client, coach, clock):
    enrol(coach)
    client.post(RESET, {"email": "coachy@example.com"})
    link = re.search(r"(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    opened = client.get(link)
    client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    response = sign_in(client, "coachy", NEW)
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == (
        "/accounts/two-factor/"
    )


def test_the_admins_own_password_change_page_still_works(admin_client):
    response = admin_client.get("/admin/password_change/")
    assert response.status_code == 200
    assert 'name="old_password"' in response.content.decode()
