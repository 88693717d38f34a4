"""The coach's journey in a desktop browser: roster, htmx search, athlete page, advance dialog."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from athletes.models import Role
from tests.factories import AthleteFactory, CheckInFactory, TeamFactory, staff, start_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_coach_finds_an_athlete_and_needs_a_reason_to_override(live_server, browser):
    team = TeamFactory()
    staff(team, Role.COACH, username="headcoach")
    maya = AthleteFactory(team=team, first_name="Maya", last_name="Okafor")
    start_plan(maya, 3, entered_days_ago=2)
    for n in range(5):
        CheckInFactory(
            athlete=maya, taken_at=timezone.now() - dt.timedelta(days=n), pain_rest=n % 3
        )
    other = AthleteFactory(team=team, first_name="Jonas", last_name="Weber")
    start_plan(other, 1)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "headcoach")
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_url("**/coach/")
    assert page.locator("#roster-table tbody tr").count() == 2
    expect(page.locator(".spark canvas")).to_have_count(2)  # uPlot drew both sparklines

    page.fill("#id_q", "okafor")  # htmx swaps the table without a reload
    # A locator wait, not wait_for_function: the CSP forbids the eval() that one would need.
    expect(page.locator("#roster-table tbody tr")).to_have_count(1)
    assert "q=okafor" in page.url

    page.click("text=Maya Okafor")
    page.wait_for_url(f"**/coach/athletes/{maya.pk}/")
    page.click("text=Advance to phase 4")
    page.check("#id_override")
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector("text=An override needs a written reason.")
    page.fill("#id_reason", "Physio cleared it after a hands-on review")
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector("text=Advanced to phase 4")
    assert page.locator("h2", has_text="Phase 4").count() == 1
    assert errors == []
    context.close()
