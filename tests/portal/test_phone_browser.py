"""The athlete's journey on a phone (390×844, system Chromium): check in with four taps,
see it in History, double-click once, and check in offline."""

import pytest
from playwright.sync_api import expect

from monitoring.models import CheckIn
from tests.factories import start_plan

pytestmark = [
    pytest.mark.browser,
    # live_server commits: the database is flushed after each test and the shipped data
    # restored (serialized_rollback), as in tests/monitoring; shipped_templates checks it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def maya(shipped_templates, world):
    athlete = world.athlete  # Maya Okafor
    start_plan(athlete, phase_order=3, entered_days_ago=6)
    return athlete


def sign_in(page, live_server, athlete):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", athlete.user.username)
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/me/")  # home sends an athlete to /me/


def tap_pain(page, rest, activity, morning):
    page.click(f"label[for=id_pain_rest_{rest}]")
    page.click(f"label[for=id_pain_activity_{activity}]")
    page.click(f"label[for=id_pain_morning_{morning}]")


def test_athlete_checks_in_with_four_taps_and_sees_it_in_history(page, live_server, maya):
    sign_in(page, live_server, maya)
    expect(page.get_by_role("heading", name="How is the leg today?")).to_be_visible()
    tap_pain(page, 2, 3, 1)  # taps 1–3
    page.click("#checkin-form button[type=submit]")  # tap 4
    expect(page.get_by_text("Check-in saved")).to_be_visible()
    expect(page.locator("#logged-today")).to_contain_text("rest 2 · activity 3 · morning 1")
    checkin = CheckIn.objects.get()
    assert (checkin.athlete_id, checkin.pain_rest, checkin.pain_activity) == (maya.pk, 2, 3)

    page.get_by_role("link", name="History").click()
    expect(page.locator("#checkin-list tbody tr")).to_have_count(1)
    expect(page.locator("#checkin-list tbody tr")).to_contain_text("2")
    expect(page.locator("#pain-chart canvas")).to_be_visible()  # uPlot drew the chart


def test_a_double_click_on_submit_creates_one_checkin(page, live_server, maya):
    sign_in(page, live_server, maya)
    tap_pain(page, 1, 1, 0)
    page.dblclick("#checkin-form button[type=submit]")
    expect(page.get_by_text("Check-in saved")).to_be_visible()
    page.wait_for_timeout(500)
    assert CheckIn.objects.count() == 1


def test_without_javascript_a_double_click_still_creates_one_checkin(browser, live_server, maya):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, maya)
    tap_pain(page, 0, 2, 1)
    page.dblclick("#checkin-form button[type=submit]")
    expect(page.get_by_text("Logged today at")).to_be_visible()
    page.wait_for_timeout(500)
    assert CheckIn.objects.count() == 1
    context.close()


def test_an_offline_checkin_waits_on_the_phone_and_is_sent_once_back_online(
    page, context, live_server, maya
):
    sign_in(page, live_server, maya)
    context.set_offline(True)
    tap_pain(page, 4, 5, 3)
    page.click("#checkin-form button[type=submit]")
    expect(page.locator("#queue-status")).to_contain_text("waiting to send")
    expect(page.locator("#checkin-form button[type=submit]")).to_have_text("Waiting to send")
    assert CheckIn.objects.count() == 0

    context.set_offline(False)
    expect(page.locator("#queue-status")).to_contain_text("Sent", timeout=25_000)
    expect(page.locator("#logged-today")).to_contain_text("rest 4 · activity 5 · morning 3")
    page.reload()  # nothing left in the queue is sent again
    page.wait_for_timeout(1000)
    checkin = CheckIn.objects.get()
    assert (checkin.pain_rest, checkin.pain_activity, checkin.pain_morning) == (4, 5, 3)
    assert checkin.client_key is not None


def test_a_queued_checkin_survives_closing_the_page_and_is_sent_on_the_next_visit(
    page, context, live_server, maya
):
    sign_in(page, live_server, maya)
    context.set_offline(True)
    tap_pain(page, 2, 2, 2)
    page.click("#checkin-form button[type=submit]")
    expect(page.locator("#queue-status")).to_contain_text("waiting to send")
    page.close()  # the phone locks, the tab is gone

    context.set_offline(False)
    later = context.new_page()
    later.goto(f"{live_server.url}/me/history/")
    expect(later.locator("#queue-status")).to_contain_text("Sent", timeout=25_000)
    later.reload()
    expect(later.locator("#checkin-list tbody tr")).to_have_count(1)
    assert CheckIn.objects.count() == 1


def test_pages_visited_once_open_without_a_connection(page, context, live_server, maya):
    sign_in(page, live_server, maya)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{live_server.url}/me/plan/")  # fetched through the service worker: cached
    expect(page.get_by_text("Allowed today")).to_be_visible()
    context.set_offline(True)
    page.goto(f"{live_server.url}/me/plan/")
    expect(page.get_by_text("Allowed today")).to_be_visible()
    expect(page.get_by_text("Longer accelerations and fly-ins")).to_be_visible()


def test_history_pages_through_past_checkins_in_place(page, live_server, maya):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import CheckInFactory

    for days_ago in range(1, 16):
        CheckInFactory(athlete=maya, taken_at=timezone.now() - dt.timedelta(days=days_ago))
    sign_in(page, live_server, maya)
    page.get_by_role("link", name="History").click()
    expect(page.locator("#checkin-list tbody tr")).to_have_count(10)
    page.evaluate("document.querySelector('#pain-chart').dataset.kept = 'yes'")
    page.get_by_role("link", name="Older").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.locator("#checkin-list tbody tr")).to_have_count(5)
    assert page.url.endswith("?page=2")
    # htmx swapped only the list: the chart is the same element.
    assert page.evaluate("document.querySelector('#pain-chart').dataset.kept") == "yes"
