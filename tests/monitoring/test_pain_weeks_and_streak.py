"""The two readings of a check-in's feedback that monitoring owns: this week's worst pain
against last week's, and the streak of days logged (monitoring.selectors)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from monitoring.corrections import void_checkin
from monitoring.selectors import PainWeeks, checkin_streak, pain_weeks
from tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 20, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def logged(athlete, days_ago, **pain):
    return CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(days=days_ago), **pain)


def test_this_weeks_worst_pain_is_the_highest_of_any_score_of_the_last_seven_days(athlete):
    logged(athlete, 0, pain_rest=1)
    logged(athlete, 6, pain_morning=4)  # the oldest day of this week
    logged(athlete, 7, pain_activity=6)  # the newest of last week
    logged(athlete, 13, pain_rest=2)
    logged(athlete, 14, pain_rest=9)  # before last week: not read
    assert pain_weeks(athlete) == PainWeeks(this_week=4, last_week=6)


def test_a_week_without_a_check_in_has_no_worst_pain(athlete):
    logged(athlete, 2, pain_rest=3)
    assert pain_weeks(athlete) == PainWeeks(this_week=3, last_week=None)
    assert pain_weeks(athlete, now=NOW + dt.timedelta(days=7)) == PainWeeks(None, 3)


def test_the_streak_counts_consecutive_days_back_from_today(athlete):
    for days_ago in (0, 1, 2, 4, 5):  # a gap three days ago
        logged(athlete, days_ago)
    assert checkin_streak(athlete) == 3


def test_the_streak_still_counts_from_yesterday_while_today_is_open(athlete):
    for days_ago in (1, 2):
        logged(athlete, days_ago)
    assert checkin_streak(athlete) == 2
    assert checkin_streak(athlete, now=NOW + dt.timedelta(days=1)) == 0  # two days silent


def test_a_voided_check_in_breaks_the_streak(athlete, coach):
    for days_ago in (0, 1, 2):
        logged(athlete, days_ago)
    middle = athlete.checkins.get(local_date=timezone.localdate(NOW) - dt.timedelta(days=1))
    void_checkin(middle, by=coach, reason="entered for the wrong athlete")
    assert checkin_streak(athlete) == 1
