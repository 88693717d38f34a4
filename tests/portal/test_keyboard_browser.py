"""The athlete's phone pages with a keyboard (WCAG 2.2 AA): every control that takes focus
stays clear of the sticky top bar, the sticky Save bar and the bottom navigation (2.4.11);
every target is at least 24 × 24 px (2.5.8); the daily check-in is done with the keyboard
alone; nothing moves when reduced motion is asked for."""

import pytest
from playwright.sync_api import expect

from monitoring.models import CheckIn
from tests.accessibility import focus_hidden_by_sticky_bars, small_targets
from tests.factories import start_plan
from tests.world import named

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MAX_TABS = 120


@pytest.fixture
def maya(shipped_templates, world):
    athlete = world.athlete  # Maya Okafor
    start_plan(athlete, phase_order=3, entered_days_ago=6)
    return athlete


def focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e === document.body ? '' : (e.id || e.name || e.textContent.trim()); }"
    )


def focus_ring_shown(page) -> bool:
    """The focused control, or the label that stands for a hidden radio, draws a focus ring."""
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        const shown = (e) => { const s = getComputedStyle(e); return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0; };
        const label = el.labels && el.labels.length ? el.labels[0] : null;
        return shown(el) || (label !== null && shown(label));
    }"""
    )


def tab_to(page, element_id: str, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until `element_id` has focus, checking each stop is in view,
    clear of the sticky bars and ringed."""
    if focused(page) == element_id:  # autofocus put it there
        return
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if focused(page) == "":
            continue  # past the last control, focus leaves the page for the browser's own
        assert focus_hidden_by_sticky_bars(page) is None, focus_hidden_by_sticky_bars(page)
        assert focus_ring_shown(page), f"no focus ring on {focused(page)}"
        if focused(page) == element_id:
            return
    raise AssertionError(f"{element_id} never took focus")


def keyboard_sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert focused(page) == "id_password"
    page.keyboard.type("sprintback")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/me/")


def test_the_athlete_checks_in_with_the_keyboard_alone(browser, live_server, maya):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    keyboard_sign_in(page, live_server, maya.user.username)

    # Pain at rest 2: into the group, Space takes 0, two arrows move to 2.
    tab_to(page, "id_pain_rest_0")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page) == "id_pain_rest_2"
    # Activity 3, then back with Shift+Tab to make rest 1, then forward again.
    tab_to(page, "id_pain_activity_0")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    tab_to(page, "id_pain_rest_2", key="Shift+Tab")
    page.keyboard.press("ArrowLeft")
    tab_to(page, "id_pain_activity_3")
    tab_to(page, "id_pain_morning_0")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    # Down the optional fields to Save: every stop clear of the Save bar and the navigation.
    tab_to(page, "Save check-in")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Check-in saved")).to_be_visible()
    checkin = CheckIn.objects.get()
    assert (checkin.athlete_id, checkin.pain_rest, checkin.pain_activity, checkin.pain_morning) == (
        maya.pk,
        1,
        3,
        1,
    )
    context.close()


@pytest.mark.parametrize("path", ["/me/", "/me/recovery/", "/me/plan/", "/me/history/"])
def test_every_focus_stop_on_a_phone_page_is_clear_of_the_sticky_bars(
    browser, live_server, maya, path
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    keyboard_sign_in(page, live_server, maya.user.username)
    page.goto(f"{live_server.url}{path}")
    hidden, seen = [], set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        stop = page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
        if stop in seen:
            break  # round the page once
        seen.add(stop)
        where = focus_hidden_by_sticky_bars(page)
        if where and where != "nothing has focus":
            hidden.append(where)
    assert len(seen) > 3
    assert hidden == []
    context.close()


def test_the_save_bar_does_not_cover_the_field_it_follows_when_focus_comes_from_below(
    browser, live_server, maya
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    keyboard_sign_in(page, live_server, maya.user.username)
    page.locator("#checkin-form button[type=submit]").focus()
    # Back up the whole form: Shift+Tab enters each unanswered scale at its last value.
    tab_to(page, "id_pain_rest_10", key="Shift+Tab")
    context.close()


@pytest.mark.parametrize(
    "viewport, path",
    [
        (PHONE, "/me/"),
        (PHONE, "/me/recovery/"),
        (PHONE, "/me/plan/"),
        (PHONE, "/me/history/"),
        (PHONE, "/accounts/profile/"),
    ],
)
def test_every_target_on_the_athletes_pages_is_at_least_24_px(
    browser, live_server, maya, viewport, path
):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    keyboard_sign_in(page, live_server, maya.user.username)
    page.goto(f"{live_server.url}{path}")
    assert small_targets(page) == []
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert sign_out["height"] >= 24 and sign_out["width"] >= 24
    context.close()


def test_every_target_on_the_staff_pages_is_at_least_24_px(browser, live_server, world, maya):
    named(world.coach, "cora")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "cora")
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_url("**/coach/")
    small = {}
    for path in ["/coach/", f"/coach/athletes/{maya.pk}/", "/notifications/", "/accounts/profile/"]:
        page.goto(f"{live_server.url}{path}")
        if found := small_targets(page):
            small[path] = found
    assert small == {}
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert sign_out["height"] >= 24
    context.close()


PROBE_MOTION = """() => {
    // Whatever a page adds later (a transition, an animation, smooth scrolling) is caught too.
    const probe = document.createElement("div");
    probe.style.transition = "opacity 300ms";
    probe.style.animation = "spin 2s infinite";
    document.body.append(probe);
    const s = getComputedStyle(probe);
    const root = getComputedStyle(document.documentElement);
    return [s.transitionDuration, s.animationDuration, s.animationIterationCount, root.scrollBehavior];
}"""


@pytest.mark.parametrize(
    "motion, seen",
    [
        ("reduce", ["1e-05s", "1e-05s", "1", "auto"]),
        ("no-preference", ["0.3s", "2s", "infinite", "auto"]),
    ],
)
def test_with_reduced_motion_nothing_transitions_animates_or_scrolls_smoothly(
    browser, live_server, maya, motion, seen
):
    context = browser.new_context(viewport=PHONE, reduced_motion=motion)
    page = context.new_page()
    keyboard_sign_in(page, live_server, maya.user.username)
    for path in ["/me/", "/accounts/profile/"]:  # me.css pages and app.css alone
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(PROBE_MOTION) == seen
    context.close()


def test_gate_statuses_carry_a_mark_as_well_as_a_colour(browser, live_server, world, maya):
    named(world.coach, "cora")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "cora")
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/coach/athletes/{maya.pk}/")
    marks = page.evaluate(
        """() => [...document.querySelectorAll("[class*=status-]")].map(
            (e) => [e.className, e.textContent.trim(), getComputedStyle(e, "::before").content])"""
    )
    assert marks  # the plan's gates
    expected = {"status-met": '"✓ "', "status-not_met": '"✕ "', "status-missing": '"? "'}
    for cls, word, mark in marks:
        assert word and mark.startswith(expected[cls][:2]), (cls, word, mark)
    context.close()
