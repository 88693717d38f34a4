"""A voided check-in (entered in error) is not a check-in: not for the missed check-ins rule,
not for the roster's "last check-in" (PRODUCT.md §2.9). Joins through athlete.checkins
bypass CheckIn's manager, so these readers leave voided rows out themselves."""

import datetime as dt

import pytest
import time_machine

from athletes.models import Role
from monitoring.models import CheckIn, Flag
from rehab import scan
from rehab.selectors import athlete_rows
from tests.factories import AthleteFactory, CheckInFactory, TeamFactory, staff, start_plan

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def void(checkin):
    CheckIn.all_objects.filter(pk=checkin.pk).update(voided_at=NOW, void_reason="Entered in error.")


def test_a_voided_check_in_does_not_count_as_the_last_check_in_for_missed_check_ins():
    athlete = AthleteFactory()
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        start_plan(athlete, phase_order=2)
    CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(days=5))
    void(CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(days=1)))
    with time_machine.travel(NOW, tick=False):
        assert scan.scan_all().flags_opened == 1
    flag = Flag.objects.get(athlete=athlete, kind="missed_checkins")
    assert flag.evidence["last_checkin_at"] == (NOW - dt.timedelta(days=5)).isoformat()
    assert flag.evidence["days_without_checkin"] == 5


def test_the_roster_leaves_a_voided_check_in_out_of_the_last_check_in():
    team = TeamFactory()
    coach = staff(team, Role.COACH)
    athlete = AthleteFactory(team=team)
    CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(days=2))
    void(CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(hours=2)))
    (row,) = athlete_rows(coach)
    assert row.last_checkin_at == NOW - dt.timedelta(days=2)
