"""Every page of every role passes axe-core (WCAG 2.2 AA and best practices) with no serious
or critical violation, on a phone (390×844) and a desktop (1280×800), on the demo data.

A new page joins by adding a line to its role's list in `pages()`: a label and its address
(and the status it answers with, for error pages). `-s` prints the tally for the closing note.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from athletes.invitations import create_invitation, revoke_invitation
from athletes.models import Athlete, Membership, Role, Team
from monitoring.models import CheckIn, Flag, Measurement, TrainingSession
from portal.demo import PASSWORD, load_demo
from rehab.models import Protocol, SignOffRequest
from rehab.services import copy_protocol
from tests.accessibility import TALLY, assert_accessible
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class Page:
    """A page to check: its address, the status it answers with, and what to do on it first
    (`then`: submit a form, to check its answer or its errors)."""

    label: str
    path: str
    status: int = 200
    then: Callable | None = None


def click(selector):
    return lambda page: page.click(selector)


def invite_coach(page):
    page.select_option("#id_role", "coach")
    page.fill("#id_email", "new.coach@example.com")
    page.click("text=Create the invitation")
    page.wait_for_selector("#invite-link")


def check_in(page):
    for name, value in (("rest", 1), ("activity", 2), ("morning", 1)):
        page.click(f"label[for=id_pain_{name}_{value}]")
    page.click("#checkin-form button[type=submit]")
    page.wait_for_selector(".messages li")  # saved, or today's check-in changed


def upload_unknown_layout(page):
    """A device export the page does not know: the column-mapping step."""
    text = "Runner;Datum;Zeit 30m (ms)\nMaya Okafor;20.11.2026 09:00;4210\n"
    page.set_input_files(
        "#id_file", files=[{"name": "gates.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.click("text=Check the file")
    page.wait_for_selector("#column-map")


def wrong_password(page):
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    page.wait_for_selector(".error, .errorlist")


def pages(role: str) -> list[Page]:
    """Each role's pages on the demo data (portal.demo), every form among them."""
    riverside = Team.objects.get(slug="riverside")
    coach = Membership.objects.get(team=riverside, role=Role.COACH, user__username="coach").user
    own = Athlete.objects.get(user__username="athlete")
    # An athlete with the most to show: open flags, a plan, logs of every kind.
    flagged = Flag.objects.filter(athlete__team=riverside).order_by("-opened_at").first().athlete
    session = TrainingSession.objects.filter(athlete=flagged).latest("date")
    measurement = Measurement.objects.filter(athlete=flagged).latest("measured_at")
    injury = flagged.injuries.latest("occurred_on")
    protocol = copy_protocol(
        Protocol.objects.filter(is_template=True).first(), team=riverside, by=coach
    )
    requests = SignOffRequest.objects.filter(plan__athlete__team=riverside)
    request = requests.get(status=SignOffRequest.Status.PENDING)  # Jonas Weber's
    decided = requests.exclude(status=SignOffRequest.Status.PENDING).latest("pk")  # Daniel Kim's
    checkin = CheckIn.objects.filter(athlete=own).latest("taken_at")
    at = flagged.pk

    def coach_page(name, **kwargs):
        return reverse(f"coach:{name}", kwargs={"pk": at, **kwargs})

    staff_common = [
        Page("notifications", reverse("notifications:list")),
        Page("notification preferences", reverse("notifications:preferences")),
        Page("profile", reverse("profile")),
        Page("API tokens", reverse("accounts-tokens")),
        Page("change password", reverse("password_change")),
    ]
    if role == "coach":
        return [
            Page("roster", reverse("coach:roster")),
            Page("athlete page", coach_page("athlete")),
            Page("athlete page (own login)", reverse("coach:athlete", kwargs={"pk": own.pk})),
            Page("athlete form (new)", reverse("coach:athlete-new")),
            Page("athlete form (edit)", coach_page("athlete-edit")),
            Page(
                "athlete form (errors)", reverse("coach:athlete-new"), then=click("button.primary")
            ),
            Page("archived athletes", reverse("coach:athletes-archived")),
            Page("injury form (new)", coach_page("injury-new")),
            Page("injury form (edit)", coach_page("injury-edit", injury_pk=injury.pk)),
            Page("baselines", coach_page("baselines")),
            Page("session form", coach_page("session-new")),
            Page("measurement form", coach_page("measurement-new")),
            Page("session correction", coach_page("session-edit", entry_pk=session.pk)),
            Page("measurement correction", coach_page("measurement-edit", entry_pk=measurement.pk)),
            Page("measurement import", reverse("coach:measurement-import")),
            Page(
                "measurement import (column map)",
                reverse("coach:measurement-import"),
                then=upload_unknown_layout,
            ),
            Page("protocols", reverse("coach:protocols")),
            Page("protocol editor", reverse("coach:protocol-edit", args=[protocol.pk])),
            Page("protocol page", reverse("coach:protocol", args=[protocol.pk])),
            Page("protocol import", reverse("coach:protocol-import")),
            Page("erase request", reverse("privacy:athlete-erase", args=[at])),
            Page("people", reverse("people:list")),
            Page("invite", reverse("people:invite")),
            Page("two-factor setup", reverse("two-factor-setup")),
            *staff_common,
        ]
    if role == "clinician":
        return [
            Page("sign-off queue", reverse("clinic:queue")),
            Page("decision page", reverse("clinic:decision", args=[request.pk])),
            Page(
                "decision page (errors)",
                reverse("clinic:decision", args=[request.pk]),
                then=click("#decision-form button[type=submit]"),
            ),
            Page("decision page (decided)", reverse("clinic:decision", args=[decided.pk])),
            Page("sign-off report", reverse("clinic:report", args=[decided.pk])),
            Page("athlete page (clinician)", coach_page("athlete")),
            *staff_common,
        ]
    if role == "athlete":
        return [
            Page("today (check-in)", reverse("me:today")),
            Page("today (checked in)", reverse("me:today"), then=check_in),
            Page("my plan", reverse("me:plan")),
            Page("recovery", reverse("me:recovery")),
            Page("history", reverse("me:history")),
            Page("check-in correction", reverse("me:checkin-edit", args=[checkin.pk])),
            Page("reminders", reverse("me:reminders")),
            Page("profile (athlete)", reverse("profile")),
        ]
    if role == "staff admin":  # in no team: the home page's install-wide summary
        return [Page("home (staff admin)", reverse("home"))]
    if role == "team admin":
        return [
            Page("people (team admin)", reverse("people:list")),
            Page("invite (team admin)", reverse("people:invite")),
            Page("invitation link", reverse("people:invite"), then=invite_coach),
            Page("profile (team admin)", reverse("profile")),
        ]
    # Signed out.
    valid = create_invitation(by=coach, team=riverside, role=Role.CLINICIAN, email="")
    withdrawn = create_invitation(by=coach, team=riverside, role=Role.CLINICIAN, email="")
    revoke_invitation(withdrawn.invitation)
    return [
        Page("sign in", reverse("login")),
        Page("sign in (wrong password)", reverse("login"), then=wrong_password),
        Page("password reset", reverse("password_reset")),
        Page("invitation accept", reverse("invitation-accept", args=[valid.token])),
        Page(
            "invitation withdrawn (410)",
            reverse("invitation-accept", args=[withdrawn.token]),
            410,
        ),
        Page("invitation unknown (404)", reverse("invitation-accept", args=["0.nope"]), 404),
        Page("not found (404)", "/no-such-page/", 404),
    ]


def team_admin() -> str:
    """A team admin of Riverside who is nothing else there (the demo's coach is both)."""
    user = UserFactory(username="ana", first_name="Ana", last_name="Silva")
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(user=user, team=Team.objects.get(slug="riverside"), role=Role.ADMIN)
    return "ana"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def demo(shipped_templates):
    load_demo()


ROLES = ["coach", "clinician", "athlete", "team admin", "staff admin", "signed out"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_serious_or_critical_violation(browser, live_server, demo, role):
    username = {
        "team admin": team_admin,
        "staff admin": lambda: "staff",
        "signed out": lambda: None,
    }.get(role, lambda: role)()
    checked = pages(role)
    problems = []
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        if username:
            sign_in(page, live_server, username)
        for entry in checked:
            response = page.goto(f"{live_server.url}{entry.path}")
            assert response.status == entry.status, f"{entry.label}: {response.status}"
            if entry.then:
                entry.then(page)
            page.wait_for_load_state("networkidle")  # charts drawn, htmx settled
            try:
                assert_accessible(page, entry.label)
            except AssertionError as failed:
                problems.append(str(failed))
        context.close()
    print(f"\n{role}: {len(checked)} pages × 2 viewports, {len(problems)} failing. {TALLY.line()}")
    assert not problems, "\n\n".join(problems)
