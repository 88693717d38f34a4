"""Check-in compliance for staff (rehab.compliance): the roster's 14-day rate per athlete and for
the squad, the athlete page's strip of logged / missed days, and who may see them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from monitoring.corrections import void_checkin
from rehab.compliance import CheckinRate, checkin_rates, checkin_strip
from rehab.selectors import roster, team_checkin_rate
from tests.factories import AthleteFactory, CheckInFactory, start_plan

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 20, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def logged(athlete, *days_ago):
    return [
        CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(days=n, hours=10))
        for n in days_ago
    ]


def rate_of(coach, athlete):
    return next(r.checkin_rate for r in roster(coach) if r.athlete == athlete)


def test_days_before_the_plan_started_are_not_missed(coach, athlete):
    plan = start_plan(athlete, 1, entered_days_ago=5)  # started on the 15th: 6 days count
    logged(athlete, 0, 1, 3, 4, 5)
    logged(athlete, 8, 12)  # before the plan: neither logged nor missed
    assert rate_of(coach, athlete) == CheckinRate(logged=5, days=6)
    assert rate_of(coach, athlete).text == "5 of 6 days"
    assert checkin_strip(plan).rate == CheckinRate(logged=5, days=6)


def test_a_plan_longer_than_the_window_counts_fourteen_days(coach, athlete):
    plan = start_plan(athlete, 2, entered_days_ago=40)
    logged(athlete, *range(0, 20, 2))  # every other day: 7 of the last 14
    assert rate_of(coach, athlete) == CheckinRate(logged=7, days=14)
    assert checkin_strip(plan).rate == CheckinRate(logged=7, days=14)


def test_today_counts_once_it_is_logged(coach, athlete):
    start_plan(athlete, 2, entered_days_ago=40)
    logged(athlete, 1, 2)
    assert rate_of(coach, athlete) == CheckinRate(logged=2, days=13)  # today still open
    logged(athlete, 0)
    assert rate_of(coach, athlete) == CheckinRate(logged=3, days=14)


def test_a_voided_check_in_leaves_its_day_missed(coach, athlete):
    plan = start_plan(athlete, 2, entered_days_ago=40)
    _, wrong = logged(athlete, 0, 1)
    void_checkin(wrong, by=coach, reason="entered for the wrong athlete")
    assert rate_of(coach, athlete) == CheckinRate(logged=1, days=14)
    yesterday = next(d for d in checkin_strip(plan).days if d.day == TODAY - dt.timedelta(1))
    assert yesterday.state == "missed"


def test_a_mid_rehab_start_counts_from_when_it_was_recorded(coach, athlete):
    plan = start_plan(athlete, 3, entered_days_ago=30)
    plan.recorded_at = NOW - dt.timedelta(days=2)  # entered here two days ago
    plan.save()
    logged(athlete, 0, 10)
    assert rate_of(coach, athlete) == CheckinRate(logged=1, days=3)
    assert checkin_rates([plan], today=TODAY)[athlete.pk] == CheckinRate(logged=1, days=3)


def test_the_squads_rate_adds_every_athletes_days(coach, team, athlete, teammate):
    start_plan(athlete, 1, entered_days_ago=40)
    start_plan(teammate, 1, entered_days_ago=3)
    AthleteFactory(team=team)  # no plan: no days expected
    logged(athlete, *range(14))
    logged(teammate, 1)
    rate = team_checkin_rate(roster(coach))
    assert rate == CheckinRate(logged=15, days=14 + 3)  # the teammate's today is still open
    assert rate.percent == 88


def test_the_strip_labels_every_day_in_words_and_with_a_mark(athlete):
    plan = start_plan(athlete, 1, entered_days_ago=3)
    logged(athlete, 1, 3)
    days = {d.day: d for d in checkin_strip(plan).days}
    assert len(days) == 28
    expected = {
        TODAY: ("open", "…", "20 Nov 2026 (today): not logged yet"),
        TODAY - dt.timedelta(1): ("logged", "✓", "19 Nov 2026: check-in logged"),
        TODAY - dt.timedelta(2): ("missed", "✗", "18 Nov 2026: no check-in"),
        TODAY - dt.timedelta(3): ("logged", "✓", "17 Nov 2026: check-in logged"),
        TODAY - dt.timedelta(4): ("before", "", "16 Nov 2026: before the plan started"),
    }
    for day, (state, mark, label) in expected.items():
        assert (days[day].state, days[day].mark, days[day].label) == (state, mark, label)


def test_the_roster_shows_each_rate_and_the_squads(client, coach, athlete):
    start_plan(athlete, 1, entered_days_ago=5)
    logged(athlete, 0, 1, 3, 4, 5)
    client.force_login(coach)
    html = client.get(reverse("coach:roster")).content.decode()
    assert "5 of 6 days" in html
    assert "Check-ins, last 14 days:" in html and "83 %" in html
    assert "(5 of 6 athlete-days, athletes in a plan)" in html


def test_the_athlete_page_shows_the_strip(client, coach, athlete):
    start_plan(athlete, 1, entered_days_ago=3)
    logged(athlete, 1)
    client.force_login(coach)
    html = client.get(reverse("coach:athlete", args=[athlete.pk])).content.decode()
    assert 'id="checkin-strip"' in html
    assert "19 Nov 2026: check-in logged" in html and "18 Nov 2026: no check-in" in html
    assert "Last 14 days in the plan: 1 of 3 days with a check-in." in html


def test_an_outsider_coach_sees_neither_the_strip_nor_the_rate(client, world):
    start_plan(world.athlete, 1, entered_days_ago=5)
    logged(world.athlete, 0)
    client.force_login(world.outsider_coach)
    assert client.get(reverse("coach:athlete", args=[world.athlete.pk])).status_code == 404
    rows = client.get(reverse("coach:roster")).context["rows"]
    assert world.athlete not in [r.athlete for r in rows]
    assert team_checkin_rate(rows) is None  # the outsider's own squad has no plan


def test_an_athlete_cannot_open_the_staff_pages(client, athlete):
    start_plan(athlete, 1)
    client.force_login(athlete.user)
    assert client.get(reverse("coach:roster")).status_code == 403
    assert client.get(reverse("coach:athlete", args=[athlete.pk])).status_code == 403


def test_the_rate_uses_the_local_day(coach, athlete):
    """A check-in at 00:30 London time in summer is that local day's, not the UTC day before."""
    summer = dt.datetime(2026, 7, 10, 0, 30, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(summer + dt.timedelta(hours=12), tick=False):
        start_plan(athlete, 1, entered_days_ago=1)
        CheckInFactory(athlete=athlete, taken_at=summer)
        assert timezone.localdate(summer) == dt.date(2026, 7, 10)
        assert rate_of(coach, athlete) == CheckinRate(logged=1, days=2)
