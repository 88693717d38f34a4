"""A coach's records journey in a desktop browser, no /admin/ at any step: add an athlete,
record an injury, enter baselines, start a plan mid-rehab at phase 2 entered 10 days ago; the
roster shows phase 2, day 11. Saves the new pages' screenshots to docs/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from athletes.models import Role
from tests.browser_steps import add_athlete, fill_injury, start_mid_rehab
from tests.factories import TeamFactory, staff, template

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_coach_brings_an_athlete_in_mid_rehab(live_server, browser):
    team = TeamFactory(name="Riverside")
    staff(team, Role.COACH, username="headcoach", first_name="Sam", last_name="Carter")
    template()  # the shipped hamstring protocol
    today = timezone.localdate()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "headcoach")
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_url("**/coach/")

    add_athlete(page)
    shot(page, "coach-add-athlete")
    page.click("button.primary")
    page.wait_for_url("**/coach/athletes/*/")

    fill_injury(page, today)
    shot(page, "coach-injury")
    page.click("button.primary")
    page.wait_for_url("**/coach/athletes/*/")

    page.click("#record-links >> text=Baselines")
    page.fill("[id='v-knee_flexor_strength.left']", "420")
    page.fill("[id='d-knee_flexor_strength.left']", (today - dt.timedelta(days=60)).isoformat())
    page.fill("[id='v-knee_flexor_strength.right']", "9999")
    page.fill("[id='d-knee_flexor_strength.right']", (today - dt.timedelta(days=60)).isoformat())
    page.click("button.primary")
    assert page.locator("[role=alert]").is_visible()  # nothing saved, the wrong cell named
    shot(page, "coach-baselines")
    page.fill("[id='v-knee_flexor_strength.right']", "410")
    page.click("button.primary")
    page.wait_for_url("**/coach/athletes/*/")

    start_mid_rehab(page, today)
    page.wait_for_selector("#day-in-phase")
    assert "Day 11 in this phase" in page.inner_text("#day-in-phase")
    assert "Brought in at phase 2" in page.content()
    shot(page, "coach-athlete-mid-rehab")

    page.goto(f"{live_server.url}/coach/")
    row = page.locator("#roster-table tbody tr", has_text="Lena Ford")
    text = row.inner_text()
    assert "2" in text and "11" in text, text
    assert not errors
