import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from monitoring.models import Flag
from monitoring.rules import missed_checkins
from rehab import scan
from tests.factories import AthleteFactory, CheckInFactory, start_plan

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


def test_three_days_without_a_check_in_is_flagged_and_two_is_not():
    started = NOW - dt.timedelta(days=30)
    assert (
        missed_checkins(
            last_checkin_at=NOW - dt.timedelta(days=3, hours=1), plan_started_at=started, now=NOW
        )
        is not None
    )
    assert (
        missed_checkins(
            last_checkin_at=NOW - dt.timedelta(days=2, hours=23), plan_started_at=started, now=NOW
        )
        is None
    )


def test_a_new_plan_counts_from_its_start():
    assert (
        missed_checkins(last_checkin_at=None, plan_started_at=NOW - dt.timedelta(days=1), now=NOW)
        is None
    )
    finding = missed_checkins(
        last_checkin_at=None, plan_started_at=NOW - dt.timedelta(days=4), now=NOW
    )
    assert finding is not None and finding.evidence["last_checkin_at"] is None


@pytest.mark.django_db
def test_the_scan_uses_the_protocols_allowance_and_clears_after_a_check_in():
    athlete = AthleteFactory()
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        plan = start_plan(athlete, phase_order=2)
    plan.protocol.missed_checkin_days = 5
    plan.protocol.save()
    CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(days=4))
    assert scan.scan_all(now=NOW).flags_opened == 0
    assert scan.scan_all(now=NOW + dt.timedelta(days=1, hours=1)).flags_opened == 1
    flag = Flag.objects.get(athlete=athlete, kind="missed_checkins")
    assert flag.evidence["days_without_checkin"] == 5
    CheckInFactory(athlete=athlete, taken_at=NOW + dt.timedelta(days=1, hours=2))
    scan.scan_all(now=NOW + dt.timedelta(days=1, hours=3))
    flag.refresh_from_db()
    assert flag.condition_cleared_at is not None and flag.status == "open"
    assert timezone.is_aware(flag.opened_at)
