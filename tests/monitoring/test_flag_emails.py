"""The e-mail coaches and clinicians get when a flag opens."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from athletes.models import Role
from rehab import scan
from tests.factories import AthleteFactory, CheckInFactory, TeamFactory, staff, start_plan

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def athlete_with_rising_pain(team, frozen):
    """Worst pain 0, 2, 3 at 0, 24 and 48 h after T0: flagged (and e-mailed) at 48 h."""
    athlete = AthleteFactory(team=team, first_name="Aisha", last_name="Bello")
    frozen.move_to(T0 - dt.timedelta(days=20))
    start_plan(athlete, phase_order=1)
    for hours, pain in ((0, 0), (24, 2), (48, 3)):
        CheckInFactory(athlete=athlete, taken_at=T0 + dt.timedelta(hours=hours), pain_morning=pain)
    frozen.move_to(T0 + dt.timedelta(hours=48))
    scan.scan_all()
    return athlete


@override_settings(SITE_URL="https://sprintback.example.org")
def test_the_flag_email_says_who_what_when_and_links_to_the_athletes_flags(frozen):
    team = TeamFactory(name="Harriers")
    coach = staff(team, Role.COACH)
    athlete = athlete_with_rising_pain(team, frozen)
    (email,) = mail.outbox
    assert email.to == [coach.email]
    assert email.subject.startswith("[Sprintback] Pain above threshold — Aisha Bello")
    body = email.body
    assert "Aisha Bello (Harriers)" in body
    assert "Pain rising across the last three reports (0 → 2 → 3/10)" in body
    # 48 h after 2 March 08:00 UTC, in the site's time zone (Europe/London, GMT in March).
    assert "Flag opened 4 Mar 2026 at 08:00 GMT." in body
    assert f"https://sprintback.example.org/coach/athletes/{athlete.pk}/#flags" in body
    assert "None" not in body


def test_the_email_link_defaults_to_the_local_site(frozen):
    team = TeamFactory()
    staff(team, Role.CLINICIAN)
    athlete = athlete_with_rising_pain(team, frozen)
    assert f"http://127.0.0.1:8000/coach/athletes/{athlete.pk}/#flags" in mail.outbox[0].body
