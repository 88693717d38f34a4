"""After a flag is resolved (PRODUCT.md §2.6): the same kind re-opens for the athlete only on
evidence that arrived after the resolution, and re-running the jobs never re-opens it."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from athletes.models import Role
from monitoring.models import Flag, Notification
from monitoring.rules import PainReport, missed_checkins, pain_persisting
from monitoring.services import resolve_flag
from rehab import evaluation
from rehab.scan import scan_all
from tests.concurrency import race
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    MeasurementFactory,
    TeamFactory,
    metric,
    staff,
    start_plan,
)

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def at(hours):
    return T0 + dt.timedelta(hours=hours)


@pytest.fixture
def clock():
    """Frozen time; `clock.move_to(at(h))` moves it. Scans and resolutions read it."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def athlete(clock, world):
    """The world's athlete (built at T0, its team has a coach), in phase 1 since 20 days."""
    athlete = world.athlete
    clock.move_to(T0 - dt.timedelta(days=20))
    start_plan(athlete, phase_order=1)
    clock.move_to(T0)
    return athlete


def checkin(athlete, hours, pain):
    return CheckInFactory(athlete=athlete, taken_at=at(hours), pain_activity=pain)


def scan(clock, hours):
    clock.move_to(at(hours))
    return scan_all()


def resolve(clock, flag, hours, by):
    clock.move_to(at(hours))
    return resolve_flag(flag, by=by, note="Seen in clinic; load adjusted.")


def flags(athlete, kind):
    return list(Flag.objects.filter(athlete=athlete, kind=kind).order_by("opened_at"))


def pain_flag_resolved_at(clock, athlete, clinician, hours=51):
    """Pain 5/10 at 0, 25 and 50 h: flagged at 50 h, resolved at `hours` (the episode goes on)."""
    for h in (0, 25, 50):
        checkin(athlete, h, 5)
    scan(clock, 50)
    (flag,) = flags(athlete, "pain_persisting")
    return resolve(clock, flag, hours, clinician)


# --- the pure rules --------------------------------------------------------------------------


def report(hours, worst):
    return PainReport(at(hours), 0, worst, 0)


def test_the_episode_a_person_handled_counts_again_only_from_the_resolution():
    reports = [report(0, 5), report(25, 5), report(50, 5), report(75, 5)]
    assert pain_persisting(reports, now=at(99), resolved_at=at(51)) is None
    finding = pain_persisting(reports, now=at(100), resolved_at=at(51))
    assert finding.evidence["counted_from"] == "resolution"
    assert finding.evidence["hours"] == 100.0  # the episode's length stays true
    assert finding.evidence["hours_since_resolution"] == 49.0
    assert "49 h of it since the last pain flag was resolved" in finding.summary


def test_the_handled_episode_needs_a_report_taken_after_the_resolution():
    reports = [report(0, 5), report(25, 5), report(50, 5)]
    assert pain_persisting(reports, now=at(200), resolved_at=at(51)) is None


def test_without_a_resolution_the_pain_evidence_is_as_before():
    finding = pain_persisting([report(0, 5), report(25, 5), report(50, 5)], now=at(50))
    assert "resolved_at" not in finding.evidence and "counted_from" not in finding.evidence


def test_a_missed_check_in_gap_counts_from_the_later_of_the_last_check_in_and_the_resolution():
    common = {"last_checkin_at": at(-120), "plan_started_at": at(-480)}
    assert missed_checkins(now=at(0), **common) is not None
    assert missed_checkins(now=at(72), resolved_at=at(1), **common) is None
    finding = missed_checkins(now=at(73), resolved_at=at(1), **common)
    assert finding.evidence["counted_from"] == "resolution"
    assert finding.evidence["days_without_checkin"] == 8  # the whole silence, since -120 h
    assert finding.summary == "No check-in for 8 days (3 since the last such flag was resolved)"


# --- pain through the scan ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_measurement_after_resolving_an_ongoing_pain_episode_raises_no_new_pain_flag(
    clock, athlete, clinician
):
    pain_flag_resolved_at(clock, athlete, clinician, hours=52)
    clock.move_to(at(53))
    MeasurementFactory(athlete=athlete, metric=metric("split_30m"), value=4.2, measured_at=at(53))
    evaluation.evaluate_pending()
    scan(clock, 54)
    scan(clock, 90)
    assert [f.status for f in flags(athlete, "pain_persisting")] == ["resolved"]


@pytest.mark.django_db
def test_pain_still_above_threshold_reopens_49_hours_after_the_resolution_and_not_at_47(
    clock, athlete, clinician
):
    pain_flag_resolved_at(clock, athlete, clinician, hours=51)
    checkin(athlete, 75, 5)
    checkin(athlete, 97, 4)
    assert scan(clock, 51 + 47).flags_opened == 0
    assert scan(clock, 51 + 49).flags_opened == 1
    assert scan(clock, 51 + 50).flags_opened == 0
    resolved, reopened = flags(athlete, "pain_persisting")
    assert (resolved.status, reopened.status) == ("resolved", "open")
    assert reopened.evidence["counted_from"] == "resolution"
    assert reopened.evidence["resolved_at"] == at(51).isoformat()


@pytest.mark.django_db
def test_a_new_episode_after_the_resolution_is_flagged_once_it_passes_48_hours(
    clock, athlete, clinician
):
    pain_flag_resolved_at(clock, athlete, clinician, hours=51)
    checkin(athlete, 74, 1)  # calm: the handled episode is over
    for h in (98, 122, 146):
        checkin(athlete, h, 5)
    assert scan(clock, 146).flags_opened == 0  # 48 h since 98 h: not yet more than 48
    assert scan(clock, 147).flags_opened == 1
    assert scan(clock, 150).flags_opened == 0
    reopened = flags(athlete, "pain_persisting")[-1]
    assert reopened.evidence["counted_from"] == "episode_start"
    assert reopened.evidence["first_painful_at"] == at(98).isoformat()


@pytest.mark.django_db
def test_resolved_rising_pain_stays_resolved_until_a_new_rising_report_arrives(
    clock, athlete, clinician
):
    for h, pain in ((0, 1), (24, 2), (48, 3)):
        checkin(athlete, h, pain)
    scan(clock, 48)
    (flag,) = flags(athlete, "pain_persisting")
    assert flag.evidence["rule"] == "rising"
    resolve(clock, flag, 49, clinician)
    assert scan(clock, 50).flags_opened == 0
    assert scan(clock, 60).flags_opened == 0
    checkin(athlete, 72, 4)
    assert scan(clock, 72).flags_opened == 1
    assert flags(athlete, "pain_persisting")[-1].evidence["rule"] == "rising"


# --- metric regression -----------------------------------------------------------------------


def regressed_split(athlete):
    split = metric("split_30m")
    for days, value in ((21, 4.30), (14, 4.25), (7, 4.20)):
        MeasurementFactory(athlete=athlete, metric=split, value=value, measured_at=at(-24 * days))
    return MeasurementFactory(athlete=athlete, metric=split, value=4.20 * 1.035, measured_at=at(0))


@pytest.mark.django_db
def test_a_resolved_regression_reopens_only_on_a_new_worse_measurement(clock, athlete, clinician):
    old = regressed_split(athlete)
    scan(clock, 1)
    (flag,) = flags(athlete, "metric_regression")
    assert flag.evidence["measurement_id"] == old.pk
    resolve(clock, flag, 2, clinician)
    assert scan(clock, 3).flags_opened == 0
    assert scan(clock, 30).flags_opened == 0
    clock.move_to(at(31))
    new = MeasurementFactory(
        athlete=athlete, metric=metric("split_30m"), value=4.20 * 1.05, measured_at=at(31)
    )
    assert scan(clock, 32).flags_opened == 1
    assert flags(athlete, "metric_regression")[-1].evidence["measurement_id"] == new.pk


@pytest.mark.django_db
def test_the_measurement_a_resolved_regression_was_about_never_reopens_it(
    clock, athlete, clinician
):
    old = regressed_split(athlete)
    scan(clock, 1)
    (flag,) = flags(athlete, "metric_regression")
    resolve(clock, flag, 2, clinician)
    # Corrected to a later time (after the resolution): still the same, handled, measurement.
    type(old).objects.filter(pk=old.pk).update(measured_at=at(5))
    assert scan(clock, 6).flags_opened == 0
    assert [f.status for f in flags(athlete, "metric_regression")] == ["resolved"]


# --- missed check-ins --------------------------------------------------------------------------


@pytest.mark.django_db
def test_missed_check_ins_reopen_exactly_n_days_after_the_resolution(clock, athlete, clinician):
    checkin(athlete, -24 * 5, 0)
    scan(clock, 0)
    (flag,) = flags(athlete, "missed_checkins")
    resolve(clock, flag, 1, clinician)
    assert scan(clock, 2).flags_opened == 0
    clock.move_to(at(1) + dt.timedelta(days=3, minutes=-1))
    assert scan_all().flags_opened == 0
    clock.move_to(at(1) + dt.timedelta(days=3))
    assert scan_all().flags_opened == 1
    reopened = flags(athlete, "missed_checkins")[-1]
    assert reopened.evidence["counted_from"] == "resolution"
    assert reopened.evidence["days_without_checkin"] == 8


# --- re-running, other jobs, e-mails, concurrency ------------------------------------------------


def snapshot():
    return (
        list(Flag.objects.order_by("pk").values()),
        list(Notification.objects.order_by("pk").values()),
    )


@pytest.mark.django_db
def test_rescans_and_the_pending_evaluation_after_a_resolution_change_nothing(
    clock, athlete, clinician
):
    pain_flag_resolved_at(clock, athlete, clinician, hours=51)
    emails = len(mail.outbox)
    assert emails == 2  # the coach and the clinician, once, when it opened
    before = snapshot()
    checkin(athlete, 70, 6)  # still painful, but only 19 h after the resolution
    scan(clock, 71)
    evaluation.evaluate_pending()
    scan(clock, 72)
    evaluation.evaluate_pending()
    assert snapshot() == before
    assert len(mail.outbox) == emails


@pytest.mark.django_db
def test_the_scan_reads_the_resolutions_without_more_queries_for_more_athletes(
    clock, team, clinician
):
    def athletes_with_a_resolved_pain_flag(count):
        for _ in range(count):
            athlete = AthleteFactory(team=team)
            clock.move_to(T0 - dt.timedelta(days=20))
            start_plan(athlete, phase_order=1)
            pain_flag_resolved_at(clock, athlete, clinician)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            scan(clock, 60)
        return len(captured.captured_queries)

    athletes_with_a_resolved_pain_flag(2)
    small = queries()
    athletes_with_a_resolved_pain_flag(4)
    assert queries() == small
    assert not Flag.objects.exclude(status="resolved").filter(kind="pain_persisting").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_scans_after_a_resolution_create_no_flag():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    team = TeamFactory()
    clinician = staff(team, Role.CLINICIAN)
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, phase_order=1)
    plan.started_at = at(-24 * 20)
    plan.save()
    for h in (0, 25, 50):
        checkin(athlete, h, 5)
    scan_all(now=at(50))
    resolve_flag(Flag.objects.get(), by=clinician, note="Seen.", now=at(51))
    checkin(athlete, 70, 6)
    outcomes = race(lambda: scan_all(now=at(71)), count=4)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert list(Flag.objects.values_list("status", flat=True)) == ["resolved"]
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resolution_racing_scans_is_never_undone_by_a_new_flag():
    """Each scan sees the flag either unresolved (nothing to open) or resolved (handled)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    team = TeamFactory()
    clinician = staff(team, Role.CLINICIAN)
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, phase_order=1)
    plan.started_at = at(-24 * 20)
    plan.save()
    for h in (0, 25, 50):
        checkin(athlete, h, 5)
    scan_all(now=at(50))
    flag = Flag.objects.get()
    calls = iter([lambda: resolve_flag(flag, by=clinician, note="Seen.", now=at(51))])

    def resolve_or_scan():
        action = next(calls, None)
        return action() if action else scan_all(now=at(52))

    outcomes = race(resolve_or_scan, count=4)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert list(Flag.objects.values_list("status", flat=True)) == ["resolved"]
