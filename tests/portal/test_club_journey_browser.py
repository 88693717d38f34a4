"""A new club starts on Monday, in a real browser and never through /admin/ (issue 16):
`createteam` makes the team and its admin's link; the admin sets a password and invites a
coach by e-mail; the coach accepts, adds an athlete, records an injury, enters baselines,
starts a plan mid-rehab (phase 2, entered 10 days ago) and invites the athlete; the athlete
opens the link on a phone (390×844), sets a password and checks in; the coach's roster shows
the athlete at phase 2, day 11. The e-mails are read from the test outbox."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from athletes.models import Athlete, Membership, Role
from monitoring.models import CheckIn
from tests.browser_steps import add_athlete, fill_injury, start_mid_rehab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def local(live_server, url: str) -> str:
    """The link on the test server: the path of an absolute link made with SITE_URL."""
    parts = urlsplit(url)
    return f"{live_server.url}{parts.path}"


def shot(page, name):
    """The page as its user sees it, for docs/screenshots/ and the README."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def link_in(text: str) -> str:
    return re.search(r"https?://\S+/invite/\S+", text).group(0)


def accept(page, live_server, url, *, first, last, username):
    page.goto(local(live_server, url))
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.fill("#id_username", username)
    page.fill("#id_password1", "a long enough pass 2026")
    page.fill("#id_password2", "a long enough pass 2026")
    page.click("text=Create my login")


def test_a_club_starts_without_the_admin(live_server, browser, shipped_templates):
    today = timezone.localdate()
    errors = []

    # 1. The install's operator starts the club.
    out = StringIO()
    call_command("createteam", "Harbour Sprint Club", "--admin", "ana@harbour.example", stdout=out)
    admin_link = link_in(out.getvalue())
    assert mail.outbox[-1].to == ["ana@harbour.example"]

    # 2. The team admin sets a password and invites a coach by e-mail.
    admin_page = browser.new_context(viewport=DESKTOP).new_page()
    admin_page.on("pageerror", lambda e: errors.append(str(e)))
    accept(admin_page, live_server, admin_link, first="Ana", last="Silva", username="ana")
    admin_page.wait_for_url("**/team/")
    admin_page.click("text=Invite someone")
    admin_page.select_option("#id_role", "coach")
    admin_page.fill("#id_email", "sam@harbour.example")
    admin_page.click("text=Create the invitation")
    expect(admin_page.locator("#invite-link")).to_be_visible()
    shot(admin_page, "people-invitation-link")
    coach_link = link_in(mail.outbox[-1].body)
    assert mail.outbox[-1].to == ["sam@harbour.example"]
    assert "Ana Silva invited you to Harbour Sprint Club" in mail.outbox[-1].body

    # 3. The coach accepts and lands on the (empty) roster.
    coach = browser.new_context(viewport=DESKTOP).new_page()
    coach.on("pageerror", lambda e: errors.append(str(e)))
    coach.goto(local(live_server, coach_link))
    expect(coach.get_by_text("Ana Silva invited you")).to_be_visible()
    accept(coach, live_server, coach_link, first="Sam", last="Carter", username="sam")
    coach.wait_for_url("**/coach/")

    # 4. An athlete, an injury, baselines, a plan started mid-rehab.
    add_athlete(coach, born="2006-04-02", events="100 m, 200 m")
    coach.click("button.primary")
    coach.wait_for_url("**/coach/athletes/*/")
    lena = Athlete.objects.get(first_name="Lena")

    fill_injury(coach, today)
    coach.click("button.primary")
    coach.wait_for_url(f"**/coach/athletes/{lena.pk}/")

    coach.click("#record-links >> text=Baselines")
    measured = (today - dt.timedelta(days=60)).isoformat()
    for side, value in (("left", "420"), ("right", "410")):
        coach.fill(f"[id='v-knee_flexor_strength.{side}']", value)
        coach.fill(f"[id='d-knee_flexor_strength.{side}']", measured)
    coach.click("button.primary")
    coach.wait_for_url(f"**/coach/athletes/{lena.pk}/")
    assert lena.baselines.count() == 2

    start_mid_rehab(coach, today)
    expect(coach.locator("#day-in-phase")).to_contain_text("Day 11 in this phase")
    expect(coach.get_by_text("Brought in at phase 2").first).to_be_visible()

    # 5. The coach invites Lena (no e-mail: the link and QR code are handed over).
    coach.click("text=People")
    coach.click("text=Invite someone")
    coach.select_option("#id_role", "athlete")
    coach.select_option("#id_athlete", label=f"Lena Ford ({lena.team})")
    coach.click("text=Create the invitation")
    expect(coach.locator("img.qr")).to_be_visible()
    athlete_link = coach.input_value("#invite-link")
    coach.click("text=Back to People")
    shot(coach, "people-list")

    # 6. On her phone, Lena sets a password and checks in.
    phone = browser.new_context(viewport=PHONE).new_page()
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(local(live_server, athlete_link))
    expect(phone.get_by_text("Sam Carter invited you")).to_be_visible()
    shot(phone, "invitation-accept-phone")
    accept(phone, live_server, athlete_link, first="Lena", last="Ford", username="lena")
    phone.wait_for_url("**/me/")
    phone.click("label[for=id_pain_rest_1]")
    phone.click("label[for=id_pain_activity_2]")
    phone.click("label[for=id_pain_morning_1]")
    phone.click("#checkin-form button[type=submit]")
    expect(phone.get_by_text("Check-in saved")).to_be_visible()
    checkin = CheckIn.objects.get()
    assert checkin.athlete_id == lena.pk
    lena.refresh_from_db()
    assert lena.user.username == "lena"

    # 7. The coach's roster: Lena at phase 2, day 11, checked in.
    coach.goto(f"{live_server.url}/coach/")
    row = coach.locator(f"#roster-table tr[data-athlete='{lena.pk}']")
    expect(row).to_contain_text("2.")
    expect(row).to_contain_text("day 11 in phase")
    assert Membership.objects.filter(user__username="ana", role=Role.ADMIN).exists()
    assert errors == []
