"""A coach whose team requires two-factor sign-in, in a desktop browser: set up the
authenticator on first sign-in (the test plays the phone: it reads the key off the page and
computes the code as an authenticator app does), then sign in again with a code."""

import time
from base64 import b32decode

import pytest

from athletes.models import Role
from tests.athletes.helpers import totp_code
from tests.factories import AthleteFactory, TeamFactory, staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def key_from(secret_text: str) -> str:
    text = secret_text.replace(" ", "").strip()
    return b32decode(text + "=" * (-len(text) % 8)).hex()


def test_coach_sets_up_two_factor_sign_in_and_signs_in_again_with_a_code(live_server, browser):
    team = TeamFactory(require_staff_2fa=True)
    staff(team, Role.COACH, username="strict", first_name="Sam", last_name="Carter")
    AthleteFactory(team=team, first_name="Maya", last_name="Okafor")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    # A Content-Security-Policy refusal shows up as a console error ("Refused to …").
    page.on("console", lambda m: "Refused" in m.text and problems.append(m.text))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "strict")
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    qr = page.locator("img.qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the QR code rendered

    key = key_from(page.inner_text("#totp-secret"))
    page.fill("#id_code", totp_code(key))
    page.click("button.primary:has-text('Confirm')")
    page.wait_for_url("**/accounts/two-factor/backup-codes/**")
    assert page.locator("#backup-codes li").count() == 10
    page.click("text=Continue")
    page.wait_for_url("**/coach/")
    assert page.locator("#roster-table tbody tr").count() == 1
    assert "Maya Okafor" in page.inner_text("#roster-table")

    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/")
    page.fill("#id_username", "strict")
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/?**")
    # The code used to set it up does not work twice: the app's next one does.
    page.fill("#id_code", totp_code(key, at=time.time() + 30))
    page.click("button.primary:has-text('Continue')")
    page.wait_for_url("**/coach/")
    assert "Maya Okafor" in page.inner_text("#roster-table")
    assert problems == []
    context.close()
