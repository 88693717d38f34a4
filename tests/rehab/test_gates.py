"""The gate engine: met / not met / missing evidence, with the facts, in constant queries."""

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from athletes.models import Baseline
from rehab.gates import MET, MISSING, NOT_MET, evaluate_plan, evaluate_plans
from rehab.models import GateCriterion, GateKind
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    MeasurementFactory,
    SessionFactory,
    TeamFactory,
    metric,
    start_plan,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def day(n):
    """The date n days before today."""
    return TODAY - dt.timedelta(days=n)


def at(n, hour=9):
    return timezone.make_aware(dt.datetime.combine(day(n), dt.time(hour)))


def plan_in(phase_order, *, muscle_group="hamstring", days_in_phase=10):
    athlete = AthleteFactory(team=TeamFactory())
    return start_plan(
        athlete, phase_order, muscle_group=muscle_group, entered_days_ago=days_in_phase
    )


def gate(report, kind, code=None):
    matches = [
        g for g in report["gates"] if g["kind"] == kind and (code is None or g["metric"] == code)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def checkin(athlete, n, morning=0, rest=0, activity=0, confidence=None):
    return CheckInFactory(
        athlete=athlete,
        taken_at=at(n, 7),
        pain_morning=morning,
        pain_rest=rest,
        pain_activity=activity,
        confidence=confidence,
    )


# --- pain ---------------------------------------------------------------------------------


def test_pain_is_met_when_the_last_three_sessions_stay_at_or_below_two():
    plan = plan_in(1)
    for n in (6, 4, 2):
        SessionFactory(athlete=plan.athlete, date=day(n), pain_during=1, pain_after=2)
        checkin(plan.athlete, n, morning=1)
    result = gate(evaluate_plan(plan), GateKind.PAIN)
    assert result["status"] == MET
    assert result["facts"]["worst"] == 2
    assert [s["date"] for s in result["facts"]["sessions"]] == [
        day(2).isoformat(),
        day(4).isoformat(),
        day(6).isoformat(),
    ]


def test_pain_counts_check_in_pain_on_a_session_day():
    plan = plan_in(1)
    for n in (6, 4, 2):
        SessionFactory(athlete=plan.athlete, date=day(n), pain_during=0, pain_after=1)
    checkin(plan.athlete, 4, activity=4)
    result = gate(evaluate_plan(plan), GateKind.PAIN)
    assert result["status"] == NOT_MET
    assert result["facts"]["worst"] == 4
    assert "4/10" in result["detail"]


def test_pain_looks_only_at_the_last_window_sessions():
    plan = plan_in(1)
    SessionFactory(athlete=plan.athlete, date=day(8), pain_during=6)  # older than the last 3
    for n in (6, 4, 2):
        SessionFactory(athlete=plan.athlete, date=day(n), pain_during=1)
    assert gate(evaluate_plan(plan), GateKind.PAIN)["status"] == MET


def test_pain_is_missing_evidence_with_fewer_sessions_in_the_phase():
    plan = plan_in(1, days_in_phase=5)
    SessionFactory(athlete=plan.athlete, date=day(9), pain_during=0)  # before the phase
    for n in (4, 2):
        SessionFactory(athlete=plan.athlete, date=day(n), pain_during=0)
    result = gate(evaluate_plan(plan), GateKind.PAIN)
    assert result["status"] == MISSING
    assert "2 of 3 sessions" in result["detail"]


def test_pain_is_missing_evidence_when_a_session_has_no_pain_recorded():
    plan = plan_in(1)
    SessionFactory(athlete=plan.athlete, date=day(6), pain_during=0)
    SessionFactory(athlete=plan.athlete, date=day(4))  # nothing recorded, no check-in
    SessionFactory(athlete=plan.athlete, date=day(2), pain_after=1)
    assert gate(evaluate_plan(plan), GateKind.PAIN)["status"] == MISSING


# --- next-day soreness ----------------------------------------------------------------------


def _sessions_with_mornings(plan, mornings):
    """Sessions 6, 4 and 2 days ago; mornings maps days-ago -> morning pain."""
    for n in (6, 4, 2):
        SessionFactory(athlete=plan.athlete, date=day(n), pain_during=0)
    for n, pain in mornings.items():
        checkin(plan.athlete, n, morning=pain)


def test_no_next_day_soreness_is_met_when_morning_pain_never_rises():
    plan = plan_in(1)
    _sessions_with_mornings(plan, {6: 2, 5: 2, 4: 1, 3: 1, 2: 1, 1: 0})
    result = gate(evaluate_plan(plan), GateKind.NO_NEXT_DAY_SORENESS)
    assert result["status"] == MET
    assert result["facts"]["sessions"][0]["next_morning_pain"] == 0


def test_no_next_day_soreness_is_not_met_when_the_next_morning_hurts_more():
    plan = plan_in(1)
    _sessions_with_mornings(plan, {6: 1, 5: 1, 4: 1, 3: 3, 2: 1, 1: 1})
    result = gate(evaluate_plan(plan), GateKind.NO_NEXT_DAY_SORENESS)
    assert result["status"] == NOT_MET
    assert result["detail"] == (
        "Next-morning pain rose after the session on 18 Nov 2026 (1/10 → 3/10)"
    )


def test_no_next_day_soreness_uses_the_previous_check_in_when_the_session_day_has_none():
    plan = plan_in(1)
    _sessions_with_mornings(plan, {7: 2, 5: 2, 4: 2, 3: 2, 2: 2, 1: 2})  # none on day 6
    result = gate(evaluate_plan(plan), GateKind.NO_NEXT_DAY_SORENESS)
    assert result["status"] == MET
    assert result["facts"]["sessions"][-1]["reference_date"] == day(7).isoformat()


def test_no_next_day_soreness_is_missing_without_the_next_days_check_in():
    plan = plan_in(1)
    _sessions_with_mornings(plan, {6: 1, 5: 1, 4: 1, 3: 1, 2: 1})  # nothing yesterday
    result = gate(evaluate_plan(plan), GateKind.NO_NEXT_DAY_SORENESS)
    assert result["status"] == MISSING
    assert result["detail"] == "No check-in around the session on 20 Nov 2026"  # day(2)


# --- minimum days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entered_days_ago, day, status", [(12, 13, NOT_MET), (13, 14, MET), (20, 21, MET)]
)
def test_minimum_days_in_phase_is_met_on_the_gates_day(entered_days_ago, day, status):
    """Phase 1 needs day 14: the day the phase was entered is day 1 (Plan.day_in_phase)."""
    plan = plan_in(1, days_in_phase=entered_days_ago)
    result = gate(evaluate_plan(plan), GateKind.MIN_DAYS)
    assert result["status"] == status
    assert result["facts"]["day_in_phase"] == day == plan.day_in_phase()
    assert result["detail"] == f"Day {day} in this phase (the gate needs day 14)"


# --- LSI ----------------------------------------------------------------------------------


def test_lsi_divides_injured_by_uninjured_side():
    plan = plan_in(1)  # injured left; gate: knee-flexor LSI ≥ 80
    kf = metric("knee_flexor_strength")
    MeasurementFactory(athlete=plan.athlete, metric=kf, side="left", value=300, measured_at=at(9))
    MeasurementFactory(athlete=plan.athlete, metric=kf, side="left", value=320, measured_at=at(2))
    MeasurementFactory(athlete=plan.athlete, metric=kf, side="right", value=400, measured_at=at(2))
    result = gate(evaluate_plan(plan), GateKind.LSI)
    assert result["status"] == MET
    assert result["facts"]["lsi"] == 80.0
    assert result["facts"]["injured"]["value"] == 320


def test_lsi_below_threshold_is_not_met_and_a_missing_side_is_missing_evidence():
    plan = plan_in(1)
    kf = metric("knee_flexor_strength")
    MeasurementFactory(athlete=plan.athlete, metric=kf, side="left", value=300, measured_at=at(2))
    result = gate(evaluate_plan(plan), GateKind.LSI)
    assert result["status"] == MISSING and "right" in result["detail"]
    MeasurementFactory(athlete=plan.athlete, metric=kf, side="right", value=400, measured_at=at(2))
    assert gate(evaluate_plan(plan), GateKind.LSI)["status"] == NOT_MET


def test_lsi_ignores_tests_from_before_the_phase():
    plan = plan_in(1, days_in_phase=5)
    kf = metric("knee_flexor_strength")
    MeasurementFactory(athlete=plan.athlete, metric=kf, side="left", value=400, measured_at=at(8))
    MeasurementFactory(athlete=plan.athlete, metric=kf, side="right", value=400, measured_at=at(8))
    assert gate(evaluate_plan(plan), GateKind.LSI)["status"] == MISSING


def test_an_lsi_metric_that_is_already_a_percentage_is_read_directly():
    plan = plan_in(1)
    GateCriterion.objects.create(
        phase=plan.current_phase, kind=GateKind.LSI, metric=metric("hop_lsi"), threshold=90
    )
    MeasurementFactory(athlete=plan.athlete, metric=metric("hop_lsi"), value=92, measured_at=at(1))
    result = gate(evaluate_plan(plan), GateKind.LSI, "hop_lsi")
    assert result["status"] == MET
    assert result["facts"]["lsi"] == 92


# --- versus baseline ----------------------------------------------------------------------


def _baseline(athlete, code, value, side=""):
    return Baseline.objects.create(
        athlete=athlete, metric=metric(code), side=side, value=value, measured_on=day(200)
    )


@pytest.mark.parametrize("time, status", [(4.2, MET), (4.21, NOT_MET)])
def test_sprint_time_within_percent_of_baseline_lower_is_better(time, status):
    plan = plan_in(4)  # 30 m ≤ 105 % of baseline
    _baseline(plan.athlete, "split_30m", 4.0)
    MeasurementFactory(
        athlete=plan.athlete, metric=metric("split_30m"), value=time, measured_at=at(1)
    )
    result = gate(evaluate_plan(plan), GateKind.VS_BASELINE, "split_30m")
    assert result["status"] == status
    assert result["facts"]["baseline"]["value"] == 4.0


@pytest.mark.parametrize("speed, status", [(9.5, MET), (9.4, NOT_MET)])
def test_peak_velocity_against_baseline_higher_is_better(speed, status):
    plan = plan_in(4)  # peak velocity ≥ 95 % of baseline
    _baseline(plan.athlete, "peak_velocity", 10.0)
    MeasurementFactory(
        athlete=plan.athlete, metric=metric("peak_velocity"), value=speed, measured_at=at(1)
    )
    assert gate(evaluate_plan(plan), GateKind.VS_BASELINE, "peak_velocity")["status"] == status


def test_vs_baseline_is_missing_without_a_baseline_or_a_measurement_in_the_phase():
    plan = plan_in(4, days_in_phase=3)
    MeasurementFactory(
        athlete=plan.athlete, metric=metric("split_30m"), value=4.0, measured_at=at(1)
    )
    result = gate(evaluate_plan(plan), GateKind.VS_BASELINE, "split_30m")
    assert result["status"] == MISSING and "baseline" in result["detail"]
    _baseline(plan.athlete, "peak_velocity", 10.0)
    MeasurementFactory(
        athlete=plan.athlete, metric=metric("peak_velocity"), value=10, measured_at=at(5)
    )
    assert gate(evaluate_plan(plan), GateKind.VS_BASELINE, "peak_velocity")["status"] == MISSING


# --- metric threshold, test passed, confidence ----------------------------------------------


@pytest.mark.parametrize("reps, status", [(30, MET), (29, NOT_MET)])
def test_calf_raises_on_the_injured_side_at_or_beyond_threshold(reps, status):
    plan = plan_in(4, muscle_group="calf")  # ≥ 30 calf raises, injured side (left)
    cr = metric("calf_raises")
    MeasurementFactory(athlete=plan.athlete, metric=cr, side="left", value=reps, measured_at=at(1))
    MeasurementFactory(athlete=plan.athlete, metric=cr, side="right", value=40, measured_at=at(1))
    assert gate(evaluate_plan(plan), GateKind.METRIC_THRESHOLD)["status"] == status


def test_test_passed_reads_the_latest_injured_side_result_in_the_phase():
    plan = plan_in(4, days_in_phase=6)
    h = metric("h_test")
    report = evaluate_plan(plan)
    assert gate(report, GateKind.TEST_PASSED)["status"] == MISSING
    MeasurementFactory(athlete=plan.athlete, metric=h, side="left", value=1, measured_at=at(8))
    assert gate(evaluate_plan(plan), GateKind.TEST_PASSED)["status"] == MISSING  # before phase
    MeasurementFactory(athlete=plan.athlete, metric=h, side="left", value=0, measured_at=at(3))
    MeasurementFactory(athlete=plan.athlete, metric=h, side="right", value=1, measured_at=at(2))
    assert gate(evaluate_plan(plan), GateKind.TEST_PASSED)["status"] == NOT_MET
    MeasurementFactory(athlete=plan.athlete, metric=h, side="left", value=1, measured_at=at(1))
    assert gate(evaluate_plan(plan), GateKind.TEST_PASSED)["status"] == MET


def test_confidence_needs_the_last_three_check_ins_at_or_above_threshold():
    plan = plan_in(4)  # confidence ≥ 7 over 3 check-ins
    checkin(plan.athlete, 5, confidence=3)  # older: not looked at
    checkin(plan.athlete, 3, confidence=7)
    checkin(plan.athlete, 2)  # no confidence recorded: skipped
    checkin(plan.athlete, 1, confidence=8)
    assert gate(evaluate_plan(plan), GateKind.CONFIDENCE)["status"] == NOT_MET
    checkin(plan.athlete, 0, confidence=9)
    result = gate(evaluate_plan(plan), GateKind.CONFIDENCE)
    assert result["status"] == MET
    assert result["facts"]["lowest"] == 7


def test_confidence_is_missing_with_too_few_check_ins():
    plan = plan_in(4)
    checkin(plan.athlete, 1, confidence=9)
    assert gate(evaluate_plan(plan), GateKind.CONFIDENCE)["status"] == MISSING


# --- the report ---------------------------------------------------------------------------


def test_report_counts_gates_and_is_json_serialisable():
    plan = plan_in(1, days_in_phase=20)
    report = evaluate_plan(plan)
    assert report["total"] == 4
    assert report["met"] == 1  # only the days
    assert report["missing"] == 3
    assert report["all_met"] is False
    assert json.loads(json.dumps(report))["phase"]["order"] == 1


def test_a_phase_without_gates_has_all_met():
    plan = plan_in(6)
    report = evaluate_plan(plan)
    assert report["total"] == 0 and report["all_met"] is True


def _busy_plans(count):
    plans = []
    for i in range(count):
        plan = plan_in(i % 6, muscle_group="calf" if i % 2 else "hamstring")
        for n in range(0, 12):
            SessionFactory(athlete=plan.athlete, date=day(n), pain_during=n % 3)
            checkin(plan.athlete, n, morning=n % 2, confidence=7)
        for code in ("knee_flexor_strength", "calf_raises", "single_leg_hop", "h_test"):
            MeasurementFactory(
                athlete=plan.athlete, metric=metric(code), side="left", value=1, measured_at=at(1)
            )
        _baseline(plan.athlete, "split_30m", 4.0)
        plans.append(plan)
    return plans


def test_a_whole_squad_is_evaluated_in_a_fixed_number_of_queries(django_assert_num_queries):
    from rehab.models import Plan

    few = _busy_plans(3)
    many = few + _busy_plans(9)
    reports = {}
    for plans in (few, many):
        loaded = list(
            Plan.objects.filter(pk__in=[p.pk for p in plans]).select_related(
                "current_phase", "injury"
            )
        )
        # Six, and three more for the phases with a speed_exposures gate (trials, baselines).
        with django_assert_num_queries(9):
            reports = evaluate_plans(loaded)
    assert len(reports) == 12
    for plan in many:
        assert reports[plan.pk] == evaluate_plan(plan)


def test_a_squad_counts_only_each_plans_own_phase():
    """Evaluated together, each plan still looks only at evidence from its own phase: a plan
    entered two days ago is not credited with sessions and check-ins logged before, however
    long ago another plan of the same batch entered its phase (the roster batches all)."""
    from rehab.models import Plan

    veteran = plan_in(4, days_in_phase=20)
    newcomer = plan_in(4, days_in_phase=2)
    for plan in (veteran, newcomer):
        for n in (12, 10, 8, 6):  # before the newcomer's phase
            SessionFactory(athlete=plan.athlete, date=day(n), pain_during=0, pain_after=0)
            checkin(plan.athlete, n, confidence=9)
    loaded = list(
        Plan.objects.filter(pk__in=[veteran.pk, newcomer.pk]).select_related(
            "current_phase", "injury"
        )
    )
    reports = evaluate_plans(loaded)
    assert reports[newcomer.pk] == evaluate_plan(newcomer)
    assert reports[veteran.pk] == evaluate_plan(veteran)
    assert gate(reports[newcomer.pk], GateKind.CONFIDENCE)["status"] == MISSING
    assert gate(reports[veteran.pk], GateKind.CONFIDENCE)["status"] == MET
