"""What the athlete and the coach see of the check-in loop in a real browser: the feedback on
Today after a check-in at 390×844, and the coach's strip of logged / missed days at 1280."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import CheckInFactory, MeasurementFactory, metric, start_plan

pytestmark = [
    pytest.mark.browser,
    # live_server commits: flushed after each test, the shipped data restored.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_check_in_is_answered_with_the_athletes_own_data(
    page, live_server, shipped_templates, world
):
    maya = world.athlete
    start_plan(maya, phase_order=3, entered_days_ago=9)
    CheckInFactory(athlete=maya, taken_at=timezone.now() - dt.timedelta(days=1), pain_rest=1)
    strength = metric("knee_flexor_strength")
    MeasurementFactory(athlete=maya, metric=strength, side="left", value=380.097)
    MeasurementFactory(athlete=maya, metric=strength, side="right", value=415.154)
    sign_in(page, live_server, maya.user)
    for field, value in (("rest", 2), ("activity", 3), ("morning", 1)):
        page.click(f"label[for=id_pain_{field}_{value}]")
    page.click("#checkin-form button[type=submit]")
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("Worst pain in the last 7 days: 3/10")
    expect(feedback).to_contain_text("2 days in a row with a check-in.")
    expect(feedback).to_contain_text("Before phase 4 (High speed and reactive)")
    assert "None" not in feedback.inner_text()
    page.get_by_role("link", name="My plan").click()
    expect(page.locator("#gates")).to_contain_text(
        "Strength of your injured leg: 92\u00a0% of the other leg — the target is 90\u00a0%"
    )
    assert "380.097" not in page.locator("#gates").inner_text()


def test_the_coach_reads_each_day_of_the_strip(page, live_server, shipped_templates, world):
    page.set_viewport_size({"width": 1280, "height": 900})
    start_plan(world.athlete, phase_order=1, entered_days_ago=3)
    CheckInFactory(athlete=world.athlete, taken_at=timezone.now() - dt.timedelta(days=1))
    sign_in(page, live_server, world.coach)
    page.goto(f"{live_server.url}/coach/athletes/{world.athlete.pk}/")
    strip = page.locator("#checkin-strip")
    expect(strip).to_contain_text("1 of 3 days with a check-in")
    days = strip.locator("li.strip-day")
    expect(days).to_have_count(28)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    logged = strip.locator("li.strip-day.logged")
    expect(logged).to_have_count(1)
    assert logged.get_attribute("title").endswith(": check-in logged")
    assert str(yesterday.day) in logged.inner_text() and "✓" in logged.inner_text()
    expect(strip.locator("li.strip-day.missed")).to_have_count(2)
    expect(strip.locator("li.strip-day.open")).to_have_count(1)  # today
    expect(strip.locator("li.strip-day.before")).to_have_count(24)
