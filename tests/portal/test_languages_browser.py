"""The athlete's pages and a flag e-mail in Spanish and French on a phone (390×844, system
Chromium): the person's chosen language on every page, in <html lang>, with no English left
in what they read, and axe-core finds nothing serious; screenshots for docs/screenshots/ (athlete-*-es.png, athlete-*-fr.png,
email-flag-es.png, email-flag-fr.png)."""

import datetime as dt
import html

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from monitoring import notify
from monitoring.models import FlagKind, NotificationPreference
from tests.accessibility import assert_accessible
from tests.factories import CheckInFactory, FlagFactory, start_plan
from tests.portal.test_club_journey_browser import PHONE, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ["es", "fr"]
# Words of the English pages that must not show through in another language.
ENGLISH = ["How is the leg today?", "Save check-in", "My plan", "History", "Sign out"]


def speaks(user, language):
    NotificationPreference.objects.update_or_create(user=user, defaults={"language": language})


def said(language, text, context=None):
    with translation.override(language):
        return translation.pgettext(context, text) if context else gettext(text)


@pytest.fixture
def maya(shipped_templates, world):
    athlete = world.athlete  # Maya Okafor
    start_plan(athlete, phase_order=2, entered_days_ago=6)
    now = timezone.now()
    for days_ago, pain in [(9, 4), (8, 3), (6, 3), (5, 2), (4, 2), (2, 1), (1, 1)]:
        CheckInFactory(
            athlete=athlete,
            taken_at=now - dt.timedelta(days=days_ago),
            pain_rest=max(pain - 1, 0),
            pain_activity=pain,
            pain_morning=max(pain - 2, 0),
        )
    return athlete


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_athlete_reads_every_page_in_their_language(browser, live_server, maya, language):
    speaks(maya.user, language)
    # The browser says English; bypass_csp lets axe-core in (tests/accessibility.py).
    context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, maya.user)
    page.wait_for_url(f"{live_server.url}/me/")
    assert page.evaluate("document.documentElement.lang") == language
    expect(
        page.get_by_role("heading", name=said(language, "How is the leg today?"))
    ).to_be_visible()
    shot(page, f"athlete-today-{language}")

    for rest, activity, morning in [(1, 2, 0)]:
        page.click(f"label[for=id_pain_rest_{rest}]")
        page.click(f"label[for=id_pain_activity_{activity}]")
        page.click(f"label[for=id_pain_morning_{morning}]")
    page.click("#checkin-form button[type=submit]")
    expect(page.get_by_text(said(language, "Check-in saved. Thank you."))).to_be_visible()
    shot(page, f"athlete-checkin-saved-{language}")

    for path, name in [
        ("/me/plan/", "plan"),
        ("/me/history/", "history"),
        ("/me/recovery/", "recovery"),
        ("/me/reminders/", "reminders"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == language
        text = page.inner_text("body")
        assert [words for words in ENGLISH if words in text] == [], path
        overflow = page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not overflow, f"{path} scrolls sideways in {language}"
        assert_accessible(page, f"{path} in {language}")  # longer words, same contrast and targets
        shot(page, f"athlete-{name}-{language}")
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_flag_email_in_the_clinicians_language(browser, world, maya, language):
    clinician = world.clinician
    speaks(clinician, language)
    FlagFactory(
        athlete=maya,
        kind=FlagKind.PAIN_PERSISTING,
        evidence={"threshold": 3, "hours": 52},
        opened_at=timezone.now() - dt.timedelta(hours=1),
        summary="Pain 5/10 at 3 check-ins over 52 h",
    )
    notify.notify_pending(timezone.now())
    (message,) = [m for m in mail.outbox if m.to == [clinician.email]]
    with translation.override(language):
        assert message.subject.startswith(f"[Sprintback] {FlagKind.PAIN_PERSISTING.label}")
    assert "Review the evidence" not in message.body

    # The e-mail as a phone's mail app shows a plain-text message.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_content(
        f'<html lang="{language}"><body style="font:16px/1.45 system-ui,sans-serif;margin:0">'
        '<header style="padding:12px 16px;border-bottom:1px solid #ddd;background:#f6f7f9">'
        f"<div style='color:#555;font-size:14px'>{html.escape(message.from_email)}</div>"
        f"<strong>{html.escape(message.subject)}</strong></header>"
        '<pre style="white-space:pre-wrap;word-break:break-word;font:inherit;padding:0 16px">'
        f"{html.escape(message.body)}</pre></body></html>"
    )
    shot(page, f"email-flag-{language}")
    context.close()
