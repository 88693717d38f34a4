"""Each gate in the athlete's own words (rehab.athlete_words): a sentence about their body, the
number at the metric's precision, the date in the locale's format, missing evidence plainly."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from athletes.models import Baseline
from rehab.athlete_words import gate_sentence, percent_text
from rehab.gates import evaluate_plan
from rehab.models import GateCriterion, GateKind
from tests.factories import CheckInFactory, MeasurementFactory, SessionFactory, metric, start_plan

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def sentences(plan) -> dict:
    """The plan's gate results in the athlete's words, by gate kind and metric."""
    report = evaluate_plan(plan, now=NOW)
    return {(g["kind"], g["metric"]): gate_sentence(g) for g in report["gates"]}


def at(days_ago: int, hour: int = 9) -> dt.datetime:
    return (NOW - dt.timedelta(days=days_ago)).replace(hour=hour)


def test_strength_symmetry_reads_as_the_injured_leg_against_the_other(world):
    plan = start_plan(world.athlete, 3, entered_days_ago=9)
    strength = metric("knee_flexor_strength")
    # The figures My plan used to print as "LSI 91.6 % (left 380.097 vs right 415.154 N…)".
    MeasurementFactory(athlete=world.athlete, metric=strength, side="left", value=380.097)
    MeasurementFactory(athlete=world.athlete, metric=strength, side="right", value=415.154)
    words = sentences(plan)
    assert words[("lsi", "knee_flexor_strength")] == (
        "Strength of your injured leg: 92\u00a0% of the other leg — the target is 90\u00a0%"
    )
    assert words[("lsi", "single_leg_hop")] == "No single-leg hop test logged in this phase yet"
    assert words[("min_days", None)] == "Days in this phase: 10 of at least 7"


def test_a_whole_percent_never_hides_which_side_of_the_target_it_is():
    assert percent_text(91.6, 90) == "92"
    assert percent_text(89.6, 90) == "89.6"  # "90 %" against a 90 % target would read as met
    assert percent_text(90.0, 90) == "90"
    assert percent_text(105.4, 105) == "105.4"  # against "at most 105 %" it is over
    assert percent_text(104.6, 105) == "104.6"
    assert percent_text(107.8, 110) == "108"


def test_only_one_leg_tested_and_no_test_are_said_plainly(world):
    plan = start_plan(world.athlete, 1, entered_days_ago=3)
    assert sentences(plan)[("lsi", "knee_flexor_strength")] == (
        "No strength test logged in this phase yet"
    )
    MeasurementFactory(
        athlete=world.athlete, metric=metric("knee_flexor_strength"), side="left", value=300
    )
    assert sentences(plan)[("lsi", "knee_flexor_strength")] == (
        "Strength of your injured leg: only one leg tested in this phase so far — both are needed"
    )


def test_session_pain_counts_the_sessions_at_or_below_the_limit(world):
    plan = start_plan(world.athlete, 3, entered_days_ago=9)
    assert sentences(plan)[("pain", None)] == (
        "Pain during sessions: 0 of 3 sessions logged in this phase so far"
    )
    for days_ago, pain in ((5, 1), (3, 3), (1, 2)):
        SessionFactory(athlete=world.athlete, date=at(days_ago).date(), pain_during=pain)
    assert sentences(plan)[("pain", None)] == (
        "Pain during sessions: 2 of the last 3 at or below 2/10"
    )


def test_next_morning_pain_names_a_rise_and_a_missing_check_in(world):
    plan = start_plan(world.athlete, 3, entered_days_ago=9)
    for days_ago in (6, 4, 2):
        SessionFactory(athlete=world.athlete, date=at(days_ago).date(), pain_during=0)
        CheckInFactory(athlete=world.athlete, taken_at=at(days_ago), pain_morning=1)
    CheckInFactory(athlete=world.athlete, taken_at=at(5), pain_morning=1)
    CheckInFactory(athlete=world.athlete, taken_at=at(3), pain_morning=1)
    words = sentences(plan)[("no_next_day_soreness", None)]
    assert words == "Pain the morning after sessions: no check-in around the session on 18 Nov 2026"
    CheckInFactory(athlete=world.athlete, taken_at=at(1), pain_morning=3)
    assert sentences(plan)[("no_next_day_soreness", None)] == (
        "Pain the morning after sessions: higher than before after 1 of the last 3 sessions"
    )


def test_sprint_time_against_the_pre_injury_value_at_the_metrics_precision(world):
    plan = start_plan(world.athlete, 3, entered_days_ago=9)
    split = metric("split_30m")
    assert sentences(plan)[("vs_baseline", "split_30m")] == (
        "30 m sprint time: no value from before the injury on record"
    )
    Baseline.objects.create(
        athlete=world.athlete, metric=split, value=4.0, measured_on=dt.date(2026, 5, 2)
    )
    assert sentences(plan)[("vs_baseline", "split_30m")] == (
        "No 30 m sprint time logged in this phase yet"
    )
    MeasurementFactory(athlete=world.athlete, metric=split, value=4.3127, measured_at=at(2))
    assert sentences(plan)[("vs_baseline", "split_30m")] == (
        "30 m sprint time: 4.31 s, 108\u00a0% of your 4.00 s before the injury — "
        "the target is at most 110\u00a0%"
    )


def test_a_test_result_names_its_day_in_the_locales_format(world):
    plan = start_plan(world.athlete, 4, entered_days_ago=9)
    h_test = metric("h_test")
    assert sentences(plan)[("test_passed", "h_test")] == (
        "No Askling H-test result in this phase yet"
    )
    MeasurementFactory(
        athlete=world.athlete, metric=h_test, side="left", value=0, measured_at=at(4)
    )
    assert sentences(plan)[("test_passed", "h_test")] == (
        "Askling H-test: not passed on 16 Nov 2026 (the latest result)"
    )
    MeasurementFactory(
        athlete=world.athlete, metric=h_test, side="left", value=1, measured_at=at(1)
    )
    assert sentences(plan)[("test_passed", "h_test")] == "Askling H-test: passed on 19 Nov 2026"


def test_confidence_reads_as_the_lowest_of_the_last_check_ins(world):
    plan = start_plan(world.athlete, 2, entered_days_ago=9)
    CheckInFactory(athlete=world.athlete, taken_at=at(3), confidence=7)
    assert sentences(plan)[("confidence", None)] == (
        "Your confidence: 1 of 3 check-ins with a confidence score in this phase"
    )
    CheckInFactory(athlete=world.athlete, taken_at=at(2), confidence=5)
    CheckInFactory(athlete=world.athlete, taken_at=at(1), confidence=8)
    assert sentences(plan)[("confidence", None)] == (
        "Your confidence: lowest 5/10 in your last 3 check-ins — the target is at least 6/10"
    )


def test_a_threshold_on_a_test_reads_at_the_metrics_precision_and_unit(world):
    plan = start_plan(world.athlete, 1, muscle_group="calf", entered_days_ago=9)
    raises = metric("calf_raises")
    GateCriterion.objects.create(
        phase=plan.current_phase, kind=GateKind.METRIC_THRESHOLD, metric=raises, threshold=30
    )
    assert sentences(plan)[("metric_threshold", "calf_raises")] == (
        "No calf-raise test logged in this phase yet"
    )
    MeasurementFactory(athlete=world.athlete, metric=raises, side="left", value=26)
    assert sentences(plan)[("metric_threshold", "calf_raises")] == (
        "Single-leg calf raises to fatigue: 26 reps — the target is at least 30 reps"
    )


def test_a_result_without_the_engines_facts_reads_as_its_description():
    assert gate_sentence({"description": "Palpation without pain", "status": "met"}) == (
        "Palpation without pain"
    )


def test_my_plan_shows_the_athletes_words_not_the_staff_detail(client, world):
    start_plan(world.athlete, 3, entered_days_ago=9)
    strength = metric("knee_flexor_strength")
    MeasurementFactory(athlete=world.athlete, metric=strength, side="left", value=380.097)
    MeasurementFactory(athlete=world.athlete, metric=strength, side="right", value=415.154)
    client.force_login(world.athlete.user)
    html = client.get(reverse("me:plan")).content.decode()
    assert (
        "Strength of your injured leg: 92\u00a0% of the other leg — the target is 90\u00a0%" in html
    )
    assert "380.097" not in html and "LSI 91.6" not in html
    assert "Days in this phase: 10 of at least 7" in html
    assert "None" not in html
