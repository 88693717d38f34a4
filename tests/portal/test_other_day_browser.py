"""On a phone (390×844): a check-in for an earlier time, on a day that already has one, opens
that day's check-in and edits it; no second check-in is stored and today's stays as it was."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from monitoring.models import CheckIn
from tests.factories import CheckInFactory, TeamFactory, athlete_with_login, start_plan
from tests.portal.test_phone_browser import sign_in, tap_pain

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_earlier_time_on_a_logged_day_edits_that_day_and_stores_no_second_one(
    page, live_server, shipped_templates
):
    maya = athlete_with_login(TeamFactory(), first_name="Maya", last_name="Okafor")
    start_plan(maya, phase_order=2, entered_days_ago=6)
    today = CheckInFactory(athlete=maya, pain_rest=1, pain_activity=1, pain_morning=1)
    day = timezone.localdate() - dt.timedelta(days=1)
    yesterday = CheckInFactory(
        athlete=maya,
        taken_at=timezone.make_aware(dt.datetime.combine(day, dt.time(8))),
        pain_rest=6,
        pain_activity=6,
        pain_morning=6,
    )
    sign_in(page, live_server, maya)
    expect(page.locator("#logged-today")).to_contain_text("Logged today at")

    tap_pain(page, 3, 4, 2)
    page.click("details.earlier summary")
    page.fill("#id_taken_at", f"{day.isoformat()}T20:15")
    page.click("#checkin-form button[type=submit]")
    named = date_format(day, "DATE_FORMAT")
    expect(page.get_by_text(f"already logged a check-in for {named}")).to_be_visible()
    expect(page.locator("#logged-today")).to_contain_text(f"Your check-in of {named}")
    assert CheckIn.objects.count() == 2  # nothing written yet
    yesterday.refresh_from_db()
    assert yesterday.pain_rest == 6

    page.click("#checkin-form button[type=submit]")
    expect(page.get_by_text(f"Check-in for {named} updated.")).to_be_visible()
    yesterday.refresh_from_db()
    today.refresh_from_db()
    assert (yesterday.pain_rest, yesterday.pain_activity, yesterday.pain_morning) == (3, 4, 2)
    assert (today.pain_rest, today.pain_activity) == (1, 1)
    assert CheckIn.objects.count() == 2
    page.screenshot(path="/tmp/other-day.png")
