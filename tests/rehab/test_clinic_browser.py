"""The return-to-play journey in a desktop browser, on the demo data: the coach asks for
sign-off for Tomás Silva, the clinician reviews the evidence and approves with a restriction,
the plan moves to maintenance, and the printable report opens."""

import pytest
from playwright.sync_api import expect

from portal.demo import load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")


def test_coach_requests_and_clinician_approves_return_to_play(live_server, browser):
    load_demo()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login(page, live_server.url, "coach")
    page.wait_for_url("**/coach/")
    page.click("text=Tomás Silva")
    page.click("text=Request clinician review for phase 6")
    page.fill("#id_reason", "Every gate of phase 5 met; asks for return to play.")
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector("text=Ready for clinician review")
    page.click("text=Sign out")

    login(page, live_server.url, "clinician")
    page.wait_for_url("**/clinic/")
    row = page.locator("#requests tr", has_text="Tomás Silva")
    assert "Return to play" in row.inner_text()
    row.locator("text=Review evidence").click()
    page.wait_for_selector("h1:has-text('Return to play: Tomás Silva')")
    assert page.locator("#gates .status-met").count() >= 1
    assert page.locator("#gates .status-not_met, #gates .status-missing").count() == 0
    assert page.locator("input[name=decision]:checked").count() == 0  # nothing pre-selected
    expect(page.locator("#pain [data-chart=pain] canvas")).to_be_visible()  # uPlot drew it

    page.check("input[name=decision][value=approve]")
    page.fill("#id_rationale", "Gates met with margin; pain-free maximal sprints.")
    page.fill("#id_restrictions", "No spikes for 7 days; re-test 30 m in 2 weeks.")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("text=Return to play approved for Tomás Silva")
    assert "Return to play approved by Priya Nair" in page.inner_text("#decisions")

    page.click("text=Athlete page")
    page.wait_for_selector("h2:has-text('Phase 6')")
    decision = page.inner_text("#signoff-decision")
    assert "Return to play approved by Priya Nair" in decision
    assert "No spikes for 7 days" in decision
    assert "Approved by clinician" in page.inner_text("#audit")

    page.click("#signoff-decision >> text=report")
    page.wait_for_selector("h1:has-text('Return to play report — Tomás Silva')")
    assert "No spikes for 7 days" in page.inner_text("#decisions")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert errors == []
    context.close()
