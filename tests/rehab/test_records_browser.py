"""A coach's records journey in a desktop browser, no /admin/ at any step: add an athlete,
record an injury, enter baselines, start a plan mid-rehab at phase 2 entered 10 days ago; the
roster shows phase 2, day 11. Saves the new pages' screenshots to docs/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from athletes.models import Role
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

    page.click("text=Add athlete")
    page.fill("#id_first_name", "Lena")
    page.fill("#id_last_name", "Ford")
    page.fill("#id_date_of_birth", "2001-04-02")
    page.select_option("#id_sex", "F")
    page.fill("#id_events", "200 m")
    page.select_option("#id_dominant_leg", "right")
    shot(page, "coach-add-athlete")
    page.click("button.primary")
    page.wait_for_url("**/coach/athletes/*/")

    page.click("#record-links >> text=Record an injury")
    page.select_option("#id_muscle_group", "hamstring")
    page.select_option("#id_muscle", "bf_lh")
    page.select_option("#id_side", "left")
    page.fill("#id_grade", "2")
    page.select_option("#id_bamic_class", "b")
    page.fill("#id_occurred_on", (today - dt.timedelta(days=25)).isoformat())
    page.select_option("#id_mechanism", "high_speed_running")
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

    page.select_option("#id_protocol", label=template().name)
    page.click("text=Already in rehab? Start mid-way")
    page.fill("#id_started_at", (today - dt.timedelta(days=20)).isoformat())
    page.fill("#id_phase", "2")
    page.fill("#id_phase_entered_at", (today - dt.timedelta(days=10)).isoformat())
    page.click("#assign-form button.primary")
    page.wait_for_selector("#day-in-phase")
    assert "Day 11 in this phase" in page.inner_text("#day-in-phase")
    assert "Brought in at phase 2" in page.content()
    shot(page, "coach-athlete-mid-rehab")

    page.goto(f"{live_server.url}/coach/")
    row = page.locator("#roster-table tbody tr", has_text="Lena Ford")
    text = row.inner_text()
    assert "2" in text and "11" in text, text
    assert not errors
