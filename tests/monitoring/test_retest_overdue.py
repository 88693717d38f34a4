"""Scheduled re-tests in the maintenance phase (issue 19 item 6): the shipped templates' phase 6
re-tests its key test every 14 days; a test not logged within its interval raises one flag of
kind `retest_overdue`. Frozen time; the edge of the schedule is exact."""

import datetime as dt

import pytest
import time_machine

from monitoring.models import Flag, FlagKind
from monitoring.selectors import athlete_flag_messages, flag_summary
from monitoring.services import record_measurement, resolve_flag
from rehab import scan
from rehab.models import RetestSchedule
from tests.factories import CheckInFactory, metric, start_plan

pytestmark = pytest.mark.django_db

ENTERED = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
KIND = FlagKind.RETEST_OVERDUE


@pytest.fixture
def plan(world):
    with time_machine.travel(ENTERED, tick=False):
        plan = start_plan(world.athlete, phase_order=6, entered_days_ago=0)
    for days in range(0, 60):  # checking in daily: no other finding
        CheckInFactory(athlete=world.athlete, taken_at=ENTERED + dt.timedelta(days=days, hours=-1))
    return plan


def flags(world):
    return list(Flag.objects.filter(athlete=world.athlete, kind=KIND))


def scan_at(when):
    scan.scan_all(now=when)


def test_the_shipped_maintenance_phase_retests_knee_flexor_strength_every_14_days(plan):
    (retest,) = RetestSchedule.objects.filter(phase=plan.current_phase)
    assert (retest.metric.code, retest.every_days) == ("knee_flexor_strength", 14)


def test_on_time_at_the_edge_and_one_flag_a_minute_later_however_often_it_runs(world, plan):
    due = ENTERED + dt.timedelta(days=14)
    scan_at(due)
    assert flags(world) == []
    for minutes in (1, 16, 60 * 24):
        scan_at(due + dt.timedelta(minutes=minutes))
    (flag,) = flags(world)
    ev = flag.evidence
    assert ev["metric"] == "knee_flexor_strength" and ev["every_days"] == 14
    assert ev["last_at"] is None and ev["due_at"] == due.isoformat()
    assert flag_summary(flag) == "Knee-flexor strength re-test overdue (due every 14 days)"
    assert athlete_flag_messages(world.athlete) == [
        "Your knee-flexor strength re-test is due — your coach and clinician have been told."
    ]


def test_a_test_in_time_moves_the_next_due_day(world, plan):
    tested = ENTERED + dt.timedelta(days=10)
    with time_machine.travel(tested, tick=False):
        record_measurement(
            world.athlete,
            by=world.coach,
            metric=metric("knee_flexor_strength"),
            value=400,
            side=plan.injury.side,
            measured_at=tested,
        )
    scan_at(ENTERED + dt.timedelta(days=20))  # 10 days after the test: on time
    assert flags(world) == []
    scan_at(tested + dt.timedelta(days=14, minutes=1))
    (flag,) = flags(world)
    assert flag.evidence["last_at"] == tested.isoformat()


def test_a_test_logged_after_the_flag_clears_it_and_a_resolution_restarts_the_count(world, plan):
    late = ENTERED + dt.timedelta(days=15)
    scan_at(late)
    (flag,) = flags(world)
    resolve_flag(flag, by=world.clinician, note="Booked for Monday", now=late)
    scan_at(late + dt.timedelta(days=13))  # 13 days after the resolution: not yet again
    assert [f for f in flags(world) if f.is_unresolved] == []
    scan_at(late + dt.timedelta(days=14, minutes=1))
    reopened = [f for f in flags(world) if f.is_unresolved]
    assert len(reopened) == 1
    with time_machine.travel(late + dt.timedelta(days=15), tick=False):
        record_measurement(
            world.athlete,
            by=world.coach,
            metric=metric("knee_flexor_strength"),
            value=410,
            side=plan.injury.side,
        )
    scan_at(late + dt.timedelta(days=15, minutes=5))
    reopened[0].refresh_from_db()
    assert reopened[0].condition_cleared_at is not None


def test_a_phase_without_a_schedule_is_never_overdue(world):
    with time_machine.travel(ENTERED, tick=False):
        start_plan(world.athlete, phase_order=5, entered_days_ago=0)
    scan_at(ENTERED + dt.timedelta(days=60))
    assert flags(world) == []
