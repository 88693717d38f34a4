"""Running faster than the phase allows (issue 18): a sprint trial of the current phase whose
top speed, as % of the athlete's pre-injury top speed, is above the phase's allowed % raises one
flag of kind `intensity_above_phase`; so does a session whose typed top intensity is above it.
Frozen time throughout; the athlete's plan is in phase 2 of the shipped hamstring template,
which allows 80 % of maximal velocity."""

import datetime as dt

import pytest
import time_machine

from athletes.models import Baseline
from monitoring.models import Flag, FlagKind, MetricKind
from monitoring.rules import SpeedExposure, intensity_above_phase
from monitoring.selectors import athlete_flag_messages, flag_summary
from monitoring.services import resolve_flag
from monitoring.sprint_profile import model_times
from monitoring.sprints import record_sprint_trial
from rehab import scan
from tests.factories import CheckInFactory, SessionFactory, start_plan

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
DISTANCES = [10, 20, 30, 40]
PRE_INJURY_MSS = 10.0
KIND = FlagKind.INTENSITY_ABOVE_PHASE


@pytest.fixture
def plan(world):
    with time_machine.travel(NOW - dt.timedelta(days=5), tick=False):
        plan = start_plan(world.athlete, phase_order=2, entered_days_ago=0)
    Baseline.objects.create(
        athlete=world.athlete,
        metric=MetricKind.objects.get(code="sprint_mss"),
        value=PRE_INJURY_MSS,
        measured_on=dt.date(2026, 1, 10),
    )
    assert plan.current_phase.max_velocity_pct == 80
    # Checking in every day: the only finding is the one these tests are about.
    for days in range(6):
        CheckInFactory(athlete=world.athlete, taken_at=NOW - dt.timedelta(days=days, hours=4))
    return plan


def sprint(world, pct, *, hours_ago=1, now=NOW):
    """A trial whose splits come from the model at `pct` % of the pre-injury top speed."""
    mss = PRE_INJURY_MSS * pct / 100
    splits = [
        {"distance_m": d, "time_s": round(t, 4)}
        for d, t in zip(DISTANCES, model_times(DISTANCES, mss, 1.2), strict=True)
    ]
    with time_machine.travel(now, tick=False):
        return record_sprint_trial(
            world.athlete,
            by=world.coach,
            measured_at=now - dt.timedelta(hours=hours_ago),
            splits=splits,
            start="crouch",
        )


def flags(world):
    return list(Flag.objects.filter(athlete=world.athlete, kind=KIND))


def test_a_sprint_above_the_ceiling_raises_one_flag_with_its_evidence(world, plan):
    trial = sprint(world, 86)
    scan.scan_all(now=NOW)
    (flag,) = flags(world)
    ev = flag.evidence
    assert ev["source"] == "trial" and ev["trial_id"] == trial.pk
    assert ev["speed"] == pytest.approx(8.6, abs=0.01)
    assert ev["percent"] == pytest.approx(86.0, abs=0.2)
    assert ev["ceiling_pct"] == 80
    assert ev["phase"] == {"id": plan.current_phase_id, "order": 2, "name": "Short accelerations"}
    assert ev["baseline_mss"] == 10.0 and ev["baseline_source"] == "typed"
    assert flag.plan_id == plan.pk
    assert flag_summary(flag) == "sprint at 86 % of pre-injury top speed; phase 2 allows 80 %"
    assert athlete_flag_messages(world.athlete) == [
        "You ran at 86 % of your top speed; this phase goes up to 80 % — your coach and "
        "clinician have been told."
    ]


def test_re_runs_keep_exactly_one_flag(world, plan):
    sprint(world, 86)
    sprint(world, 90, hours_ago=2)
    for minutes in (0, 15, 30, 60 * 24):
        scan.scan_all(now=NOW + dt.timedelta(minutes=minutes))
    (flag,) = flags(world)
    # The fastest is the evidence, and the page says how many were above the ceiling.
    assert flag.evidence["percent"] == pytest.approx(90.0, abs=0.2)
    assert flag.evidence["above_count"] == 2


def test_at_the_ceiling_raises_nothing(world, plan):
    sprint(world, 80)
    sprint(world, 79.5, hours_ago=2)
    scan.scan_all(now=NOW)
    assert flags(world) == []


def test_a_sprint_before_the_phase_began_is_not_judged_against_it(world, plan):
    sprint(world, 95, hours_ago=24 * 6)  # a day before entering phase 2
    scan.scan_all(now=NOW)
    assert flags(world) == []


def test_without_a_pre_injury_top_speed_a_trial_is_not_judged(world, plan):
    Baseline.objects.filter(athlete=world.athlete).delete()
    sprint(world, 95)
    scan.scan_all(now=NOW)
    assert flags(world) == []


def test_a_session_typed_above_the_ceiling_is_flagged_too(world, plan):
    session = SessionFactory(
        athlete=world.athlete, date=dt.date(2026, 6, 9), type="acceleration", top_intensity_pct=85
    )
    SessionFactory(
        athlete=world.athlete, date=dt.date(2026, 6, 8), type="acceleration", top_intensity_pct=80
    )
    scan.scan_all(now=NOW)
    (flag,) = flags(world)
    assert flag.evidence["source"] == "session" and flag.evidence["session_id"] == session.pk
    assert flag.evidence["percent"] == 85 and flag.evidence["speed"] is None
    assert flag_summary(flag) == "session at 85 % of max; phase 2 allows 80 %"


def test_after_a_resolution_only_a_later_sprint_raises_it_again(world, plan):
    sprint(world, 86)
    scan.scan_all(now=NOW)
    (flag,) = flags(world)
    resolve_flag(flag, by=world.coach, note="Talked it through", now=NOW + dt.timedelta(hours=1))
    later = NOW + dt.timedelta(hours=2)
    scan.scan_all(now=later)
    assert len(flags(world)) == 1  # the same sprint is not raised again
    newer = sprint(world, 84, hours_ago=0, now=later + dt.timedelta(hours=1))
    scan.scan_all(now=later + dt.timedelta(hours=1))
    reopened = [f for f in flags(world) if f.is_unresolved]
    assert len(reopened) == 1 and reopened[0].evidence["trial_id"] == newer.pk


def test_moving_up_a_phase_clears_the_condition_but_keeps_the_flag(world, plan):
    from rehab.models import Phase

    sprint(world, 86)
    scan.scan_all(now=NOW)
    plan.current_phase = Phase.objects.get(protocol=plan.protocol, order=3)  # allows 90 %
    plan.phase_entered_at = NOW - dt.timedelta(days=2)
    plan.save()
    scan.scan_all(now=NOW + dt.timedelta(minutes=5))
    (flag,) = flags(world)
    assert flag.is_unresolved and flag.condition_cleared_at is not None


def test_the_rule_compares_at_the_decimal_people_see():
    at = NOW - dt.timedelta(hours=1)

    def finding(pct):
        exposure = SpeedExposure("trial", 1, at, at, pct, 8.0)
        return intensity_above_phase(
            [exposure], ceiling_pct=80, phase={"order": 2}, now=NOW, baseline=None
        )

    assert finding(80.04) is None  # reads 80.0 %
    assert finding(80.06) is not None  # reads 80.1 %
    assert finding(100.0) is not None
    # A sprint logged for later than now is not judged yet.
    future = SpeedExposure("trial", 2, NOW + dt.timedelta(hours=1), NOW, 95.0, 9.5)
    assert intensity_above_phase([future], ceiling_pct=80, phase={"order": 2}, now=NOW) is None
