"""Worst pain and pain by day, each defined once: `CheckIn.worst_pain` (Python, from
`rules.worst_pain`) with `worst_pain_expression()` (SQL) beside it, and
`monitoring.selectors.pain_series_for`, which every pain chart, the roster's trend and a
sign-off's evidence read."""

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from monitoring import rules
from monitoring.models import CheckIn, worst_pain_expression
from monitoring.selectors import pain_series, pain_series_for
from tests.factories import AthleteFactory, CheckInFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
APPS = ("athletes", "config", "core", "monitoring", "portal", "rehab")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False):
        yield


def checkin(athlete, days_ago, rest=0, activity=0, morning=0):
    return CheckInFactory(
        athlete=athlete,
        taken_at=T0 - dt.timedelta(days=days_ago),
        pain_rest=rest,
        pain_activity=activity,
        pain_morning=morning,
    )


def test_worst_pain_is_the_highest_of_the_three_scores_in_python_and_in_sql(athlete):
    scores = list(itertools.permutations((0, 3, 7)))
    for n, (rest, activity, morning) in enumerate(scores):
        checkin(athlete, n, rest, activity, morning)
    rows = CheckIn.objects.filter(athlete=athlete).annotate(worst=worst_pain_expression())
    assert len(rows) == len(scores)
    for row in rows:
        assert row.worst == row.worst_pain == 7
        assert row.worst_pain == rules.worst_pain(
            row.pain_rest, row.pain_activity, row.pain_morning
        )


def test_a_span_has_every_day_and_none_where_there_is_no_checkin(athlete):
    today = timezone.localdate()
    checkin(athlete, 0, rest=1, activity=4, morning=2)
    checkin(athlete, 2, rest=3)
    series = pain_series(athlete, first_day=today - dt.timedelta(days=3), last_day=today)
    assert series["days"] == [today - dt.timedelta(days=n) for n in (3, 2, 1, 0)]
    assert series["worst"] == [None, 3, None, 4]
    assert series["rest"] == [None, 3, None, 1]
    assert series["activity"] == [None, 0, None, 4]
    assert series["morning"] == [None, 0, None, 2]


def test_without_a_last_day_only_the_days_with_a_checkin_count_oldest_first(athlete):
    for days_ago in (60, 30, 5, 1):
        checkin(athlete, days_ago, activity=days_ago % 10)
    series = pain_series(athlete, days=56)
    today = timezone.localdate()
    assert series["days"] == [today - dt.timedelta(days=n) for n in (30, 5, 1)]
    assert series["worst"] == [0, 5, 1]


def test_a_voided_checkin_leaves_the_series(athlete):
    kept, voided = checkin(athlete, 1, rest=2), checkin(athlete, 0, rest=9)
    CheckIn.all_objects.filter(pk=voided.pk).update(voided_at=T0, void_reason="wrong athlete")
    series = pain_series(athlete, days=7)
    assert series["days"] == [kept.local_date] and series["worst"] == [2]


def test_many_athletes_are_read_in_one_query(athlete, django_assert_num_queries):
    others = [AthleteFactory(team=athlete.team) for _ in range(3)]
    for n, other in enumerate(others):
        checkin(other, n, morning=n + 1)
    today = timezone.localdate()
    ids = [athlete.pk] + [o.pk for o in others]
    with django_assert_num_queries(1):
        series = pain_series_for(ids, first_day=today - dt.timedelta(days=13), last_day=today)
    assert series[athlete.pk]["worst"] == [None] * 14  # no check-in: a row of gaps
    assert [series[o.pk]["worst"][13 - n] for n, o in enumerate(others)] == [1, 2, 3]


def test_no_other_module_computes_worst_pain_itself():
    """The highest of rest / activity / morning is written in monitoring/models.py (SQL, with
    the Python property beside it) and nowhere else; the rules' `worst_pain` is the reading."""
    computes = re.compile(r"\b(max|Greatest)\(.*rest.*morning")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if computes.search(line)
    ]
    assert [place.partition(":")[0] for place in found] == ["monitoring/models.py"], found
