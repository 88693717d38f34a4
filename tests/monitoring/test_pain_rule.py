"""pain_persisting, as a pure function and through the scan with frozen time."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from monitoring.models import CheckIn, Flag
from monitoring.rules import PainReport, pain_persisting
from rehab import scan
from tests.factories import AthleteFactory, CheckInFactory, start_plan

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def r(hours, rest=0, activity=0, morning=0):
    return PainReport(T0 + dt.timedelta(hours=hours), rest, activity, morning)


def at(hours):
    return T0 + dt.timedelta(hours=hours)


def test_pain_5_4_4_over_50_hours_is_flagged():
    finding = pain_persisting([r(0, activity=5), r(25, activity=4), r(50, morning=4)], now=at(50))
    assert finding is not None
    assert finding.evidence["rule"] == "persisting"
    assert finding.evidence["hours"] == 50.0
    assert [x["activity"] for x in finding.evidence["reports"]] == [5, 4, 0]
    assert "50 h" in finding.summary


def test_a_report_below_threshold_restarts_the_episode():
    reports = [r(0, activity=5), r(30, activity=1), r(50, activity=4)]
    assert pain_persisting(reports, now=at(50)) is None


def test_pain_exactly_at_threshold_counts():
    reports = [r(0, rest=3), r(24, activity=3), r(49, morning=3)]
    assert pain_persisting(reports, now=at(49)) is not None
    assert pain_persisting([r(0, rest=2), r(49, rest=2)], now=at(49)) is None


def test_47_hours_is_not_yet_and_49_hours_is():
    reports = [r(0, activity=4), r(47, activity=4)]
    assert pain_persisting(reports, now=at(47)) is None
    assert pain_persisting(reports + [r(49, activity=4)], now=at(49)) is not None


def test_a_back_dated_report_is_placed_by_taken_at():
    # Arrived last, but taken at 20 h: it ends the episode that began at 0 h.
    arrived_in_order = [r(0, activity=5), r(40, activity=4), r(50, activity=4), r(20, activity=1)]
    assert pain_persisting(arrived_in_order, now=at(50)) is None
    # A late painful report from 0 h extends an episode back past 48 h.
    late = [r(30, activity=4), r(50, activity=4), r(0, activity=4)]
    finding = pain_persisting(late, now=at(50))
    assert finding is not None and finding.evidence["hours"] == 50.0


def test_rising_pain_across_three_reports_is_flagged_early():
    finding = pain_persisting([r(0, activity=1), r(10, activity=2), r(20, activity=3)], now=at(20))
    assert finding is not None and finding.evidence["rule"] == "rising"
    # Rising but below the threshold is not a concern yet.
    assert pain_persisting([r(0), r(10, activity=1), r(20, activity=2)], now=at(20)) is None


def test_threshold_and_hours_come_from_the_caller():
    reports = [r(0, activity=2), r(30, activity=2)]
    assert pain_persisting(reports, now=at(30), threshold=2, hours=24) is not None
    assert pain_persisting(reports, now=at(30), threshold=2, hours=36) is None


def test_reports_after_now_are_ignored():
    assert pain_persisting([r(0, activity=5), r(60, activity=5)], now=at(30)) is None


# --- through the job, against the database -------------------------------------------------


def checkin(athlete, hours, **pain):
    return CheckInFactory(athlete=athlete, taken_at=at(hours), **pain)


@pytest.mark.django_db
def test_the_scan_flags_persisting_pain_once_and_keeps_one_flag():
    athlete = AthleteFactory()
    with time_machine.travel(T0 - dt.timedelta(days=20), tick=False):
        start_plan(athlete, phase_order=1)
    checkin(athlete, 0, pain_activity=5)
    checkin(athlete, 25, pain_activity=4)
    checkin(athlete, 50, pain_activity=4)
    report = scan.scan_all(now=at(50))
    assert report.flags_opened == 1
    assert scan.scan_all(now=at(51)).flags_opened == 0
    flag = Flag.objects.get(athlete=athlete)
    assert flag.kind == "pain_persisting" and flag.status == "open"
    assert flag.evidence["hours"] == 50.0
    assert len(flag.evidence["reports"]) == 3


@pytest.mark.django_db
def test_the_scan_respects_the_protocols_threshold():
    athlete = AthleteFactory()
    with time_machine.travel(T0 - dt.timedelta(days=20), tick=False):
        plan = start_plan(athlete, phase_order=1)
    plan.protocol.pain_threshold = 5
    plan.protocol.save()
    for hours in (0, 25, 50):
        checkin(athlete, hours, pain_activity=4)
    assert scan.scan_all(now=at(50)).flags_opened == 0


@pytest.mark.django_db
def test_the_scan_restarts_the_episode_after_a_calm_report():
    athlete = AthleteFactory()
    with time_machine.travel(T0 - dt.timedelta(days=20), tick=False):
        start_plan(athlete, phase_order=1)
    checkin(athlete, 0, pain_activity=5)
    checkin(athlete, 30, pain_activity=1)
    checkin(athlete, 50, pain_activity=4)
    assert scan.scan_all(now=at(50)).flags_opened == 0
    assert not Flag.objects.filter(kind="pain_persisting").exists()


@pytest.mark.django_db
def test_athletes_without_an_active_plan_are_not_evaluated():
    athlete = AthleteFactory()
    for hours in (0, 25, 50):
        checkin(athlete, hours, pain_activity=6)
    assert scan.scan_all(now=at(50)).athletes == 0
    assert not Flag.objects.exists()


@pytest.mark.django_db
def test_a_pain_flag_in_phase_2_or_later_proposes_the_previous_phase():
    early, later = AthleteFactory(), AthleteFactory()
    with time_machine.travel(T0 - dt.timedelta(days=20), tick=False):
        start_plan(early, phase_order=1)
        plan = start_plan(later, phase_order=3)
    for athlete in (early, later):
        for hours in (0, 25, 50):
            checkin(athlete, hours, pain_morning=4)
    scan.scan_all(now=at(50))
    assert Flag.objects.get(athlete=early).proposed_regression_to is None
    proposed = Flag.objects.get(athlete=later).proposed_regression_to
    assert proposed.order == 2 and proposed.protocol_id == plan.protocol_id


@pytest.mark.django_db
def test_a_cleared_condition_keeps_the_flag_open_but_says_so():
    athlete = AthleteFactory()
    with time_machine.travel(T0 - dt.timedelta(days=20), tick=False):
        start_plan(athlete, phase_order=1)
    for hours in (0, 25, 50):
        checkin(athlete, hours, pain_activity=4)
    scan.scan_all(now=at(50))
    checkin(athlete, 74, pain_activity=0)
    report = scan.scan_all(now=at(74))
    flag = Flag.objects.get(athlete=athlete)
    assert report.flags_cleared == 1
    assert flag.status == "open" and flag.condition_cleared_at == at(74)
    # Pain comes back before anyone resolved it: still the same single flag, no longer cleared.
    checkin(athlete, 98, pain_activity=6)
    checkin(athlete, 122, pain_activity=6)
    checkin(athlete, 146, pain_activity=6)
    scan.scan_all(now=at(147))  # 49 h after the first painful report of the new episode
    flag.refresh_from_db()
    assert flag.condition_cleared_at is None
    assert Flag.objects.filter(athlete=athlete).count() == 1
    assert CheckIn.objects.filter(athlete=athlete).count() == 7


@pytest.mark.django_db
def test_demo_data_flags_the_persisting_pain_regressing_and_silent_athletes():
    from django.core.management import call_command

    call_command("seed_demo")
    scan.scan_all(now=timezone.now())
    flagged = set(Flag.objects.values_list("athlete__first_name", "kind"))
    assert ("Aisha", "pain_persisting") in flagged
    assert ("Liam", "metric_regression") in flagged
    assert ("Grace", "missed_checkins") in flagged
    assert not Flag.objects.filter(athlete__first_name="Maya").exists()
