"""Setting up an authenticator: the secret and QR code, the confirming code, backup codes."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from athletes.models import Role
from tests.athletes.helpers import enrol, sign_in, totp_code, verified_login, wrong_code
from tests.factories import athlete_with_login, staff

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/setup/"


def secret_on(page) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.content.decode())
    assert match, "the key is shown for typing"
    return match.group(1)


def key_hex(secret: str) -> str:
    from base64 import b32decode

    text = secret.replace(" ", "")
    return b32decode(text + "=" * (-len(text) % 8)).hex()


def test_the_setup_page_shows_the_key_and_a_qr_code_the_csp_allows_and_stores_nothing(
    client, coach
):
    client.force_login(coach)
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    secret = secret_on(page)
    assert len(secret.replace(" ", "")) == 32  # 20 random bytes in base32
    # The QR code is an <img> with an SVG data: URI (img-src 'self' data:), no inline style.
    assert re.search(r'<img class="qr" src="data:image/svg\+xml', html)
    assert "<style" not in html and " style=" not in html and "<script>" not in html
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    # A reload shows the same key (the phone may already have scanned it); nothing stored yet.
    assert secret_on(client.get(SETUP)) == secret
    assert not TOTPDevice.objects.exists()


def test_a_wrong_code_is_refused_at_the_field_and_stores_nothing(client, coach, clock):
    client.force_login(coach)
    key = key_hex(secret_on(client.get(SETUP)))
    response = client.post(SETUP, {"code": wrong_code(key)})
    assert response.status_code == 400
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert not StaticToken.objects.exists()


@pytest.mark.parametrize(
    "code",
    ["", "   ", "abcdef", "1" * 33, "12345", "1234567", "١٢٣٤٥٦", "\x00\x01", "-1", "1e309"],
)
def test_odd_codes_are_refused_with_a_message_never_a_500(client, coach, clock, code):
    client.force_login(coach)
    client.get(SETUP)
    response = client.post(SETUP, {"code": code})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_the_right_code_confirms_the_authenticator_and_backup_codes_are_shown_once(
    client, coach, clock
):
    client.force_login(coach)
    key = key_hex(secret_on(client.get(SETUP)))
    response = client.post(SETUP, {"code": totp_code(key), "next": "/coach/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/backup-codes/")
    device = TOTPDevice.objects.get(user=coach)
    assert device.confirmed and device.key == key

    shown = client.get(response["Location"])
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", shown.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=coach).values_list("token", flat=True))
    assert {c.replace("-", "") for c in codes} == stored
    assert "shown only this once" in shown.content.decode()
    assert 'href="/coach/"' in shown.content.decode()  # Continue goes where they were going
    assert shown["Cache-Control"].count("no-store") == 1

    again = client.get("/accounts/two-factor/backup-codes/").content.decode()
    assert not re.findall(r"<code>[a-z2-7]{4}-[a-z2-7]{4}</code>", again)
    assert "shown only once" in again
    # The session that set it up has proved the phone: no code asked until the next sign-in.
    assert client.get("/coach/").status_code == 200


def test_the_confirming_code_cannot_be_used_again_to_sign_in(client, coach, clock):
    client.force_login(coach)
    key = key_hex(secret_on(client.get(SETUP)))
    code = totp_code(key)
    client.post(SETUP, {"code": code})
    client.post("/accounts/logout/")
    sign_in(client, "coachy")
    replay = client.post("/accounts/two-factor/", {"code": code})
    assert replay.status_code == 400
    assert "not right, or it was already used" in replay.content.decode()


def test_only_staff_set_up_an_authenticator(client, team):
    athlete = athlete_with_login(team)
    client.force_login(athlete.user)
    assert client.get(SETUP).status_code == 404
    assert client.post(SETUP, {"code": "123456"}).status_code == 404
    assert not TOTPDevice.objects.exists()
    clinician = staff(team, Role.CLINICIAN)
    client.force_login(clinician)
    assert client.get(SETUP).status_code == 200


def test_moving_to_a_new_phone_needs_the_current_code_and_replaces_the_old_one(
    client, coach, clock
):
    old_backup = enrol(coach)
    client.force_login(coach)  # password only: not verified yet
    first = client.get(SETUP)
    assert first.status_code == 302 and first["Location"].startswith("/accounts/two-factor/?")

    verified_login(client, coach)
    new_key = key_hex(secret_on(client.get(SETUP)))
    clock.shift(60)
    response = client.post(SETUP, {"code": totp_code(new_key)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=coach).values_list("key", flat=True)) == [new_key]
    stored = set(StaticToken.objects.filter(device__user=coach).values_list("token", flat=True))
    assert stored and not stored & set(old_backup)  # the old backup codes stop working
