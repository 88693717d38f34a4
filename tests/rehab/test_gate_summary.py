"""Stored gate summaries: the roster reads them, the database clears them when evidence changes,
a refresh never stores a result that older evidence produced."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from athletes.models import Baseline, Role
from monitoring.models import CheckIn, Measurement
from rehab import gate_summary
from rehab.gates import evaluate_plan
from rehab.models import GateCriterion, Plan
from rehab.selectors import ADVANCE, COLLECT_EVIDENCE, roster
from rehab.services import advance_phase
from rehab.tasks import refresh_gate_summaries
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    MeasurementFactory,
    SessionFactory,
    TeamFactory,
    metric,
    staff,
    start_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def coach(team):
    return staff(team, Role.COACH)


@pytest.fixture
def athlete(team):
    return AthleteFactory(team=team)


def fresh(plan) -> Plan:
    plan.refresh_from_db()
    return plan


def refreshed(plan) -> Plan:
    gate_summary.refresh_stale()
    return fresh(plan)


def evidence_for_phase_0(athlete, *, palpation=True, session_days_ago=(5, 3, 1)):
    today = timezone.localdate()
    for n in session_days_ago:
        SessionFactory(athlete=athlete, date=today - dt.timedelta(days=n), pain_during=0)
    if palpation:
        MeasurementFactory(athlete=athlete, metric=metric("palpation"), side="left", value=1)


def test_refresh_stores_the_gate_engines_counts_until_the_next_local_midnight(athlete):
    plan = start_plan(athlete, 2, entered_days_ago=4)
    assert plan.gates_valid_until is None  # a new plan starts stale
    now = timezone.now()
    plan = refreshed(plan)
    report = evaluate_plan(plan)
    assert (plan.gates_met, plan.gates_missing, plan.gates_total) == (
        report["met"],
        report["missing"],
        report["total"],
    )
    local = timezone.localtime(plan.gates_valid_until)
    assert local.time() == dt.time.min
    assert local.date() == timezone.localdate(now) + dt.timedelta(days=1)


def test_the_roster_reads_a_fresh_summary_without_evaluating_gates(athlete, coach):
    plan = refreshed(start_plan(athlete, 2, entered_days_ago=4))
    # Prove the stored counts are what is shown: change them behind the engine's back.
    Plan.objects.filter(pk=plan.pk).update(gates_met=4, gates_total=5, gates_missing=0)
    (row,) = roster(coach)
    assert (row.gates["met"], row.gates["total"], row.gates["all_met"]) == (4, 5, False)


@pytest.mark.parametrize(
    "change",
    [
        "checkin",
        "checkin_update",
        "checkin_delete",
        "bulk_checkins",
        "session",
        "measurement",
        "measurement_delete",
        "baseline",
        "injury",
        "gate",
    ],
)
def test_any_change_of_evidence_marks_the_summary_stale(athlete, change):
    plan = refreshed(start_plan(athlete, 0, entered_days_ago=4))
    epoch = plan.gates_epoch
    assert plan.gates_valid_until is not None
    if change == "checkin":
        CheckInFactory(athlete=athlete)
    elif change == "checkin_update":
        checkin = CheckInFactory(athlete=athlete)
        plan = refreshed(plan)
        epoch = plan.gates_epoch
        CheckIn.objects.filter(pk=checkin.pk).update(pain_morning=5)
    elif change == "checkin_delete":
        checkin = CheckInFactory(athlete=athlete)
        plan = refreshed(plan)
        epoch = plan.gates_epoch
        checkin.delete()
    elif change == "bulk_checkins":
        today = timezone.localdate()
        CheckIn.objects.bulk_create(
            CheckIn(
                athlete=athlete,
                local_date=today - dt.timedelta(days=n),
                taken_at=timezone.now() - dt.timedelta(days=n),
                pain_rest=0,
                pain_activity=0,
                pain_morning=0,
            )
            for n in range(3)
        )
    elif change == "session":
        SessionFactory(athlete=athlete)
    elif change == "measurement":
        MeasurementFactory(athlete=athlete, metric=metric("palpation"), side="left", value=1)
    elif change == "measurement_delete":
        MeasurementFactory(athlete=athlete, metric=metric("palpation"), side="left", value=1)
        plan = refreshed(plan)
        epoch = plan.gates_epoch
        Measurement.objects.filter(athlete=athlete).delete()
    elif change == "baseline":
        Baseline.objects.create(
            athlete=athlete,
            metric=metric("split_30m"),
            side="",
            value=4.1,
            measured_on=timezone.localdate(),
        )
    elif change == "injury":
        plan.injury.side = "right" if plan.injury.side == "left" else "left"
        plan.injury.save()
    elif change == "gate":
        GateCriterion.objects.filter(phase=plan.current_phase, kind="min_days").update(threshold=1)
    plan = fresh(plan)
    assert plan.gates_valid_until is None
    assert plan.gates_epoch > epoch


def test_another_athletes_evidence_leaves_the_summary_alone(team, athlete):
    plan = refreshed(start_plan(athlete, 0))
    CheckInFactory(athlete=AthleteFactory(team=team))
    assert fresh(plan).gates_valid_until is not None


def test_a_phase_change_marks_the_summary_stale(athlete, coach):
    plan = start_plan(athlete, 0, entered_days_ago=10)
    evidence_for_phase_0(athlete)
    plan = refreshed(plan)
    assert plan.gates_met == plan.gates_total
    advance_phase(plan, by=coach, expected_version=plan.version)
    plan = fresh(plan)
    assert plan.current_phase.order == 1
    assert plan.gates_valid_until is None
    plan = refreshed(plan)
    assert plan.gates_met < plan.gates_total  # the new phase's gates, not the old ones


def test_a_refresh_that_read_older_evidence_stores_nothing(athlete):
    plan = Plan.objects.select_related("current_phase", "injury").get(
        pk=start_plan(athlete, 0, entered_days_ago=10).pk
    )
    evidence_for_phase_0(athlete, palpation=False)
    plan = Plan.objects.select_related("current_phase", "injury").get(pk=plan.pk)
    # The refresh read the plan (and its epoch); new evidence arrives before it stores.
    MeasurementFactory(athlete=athlete, metric=metric("palpation"), side="left", value=1)
    assert gate_summary.store([plan]) == 0
    assert fresh(plan).gates_valid_until is None
    assert gate_summary.refresh_stale() == {"stale": 1, "stored": 1}
    plan = fresh(plan)
    assert plan.gates_met == plan.gates_total


def test_the_roster_evaluates_a_stale_plan_live(athlete, coach):
    plan = refreshed(start_plan(athlete, 0, entered_days_ago=10))
    (row,) = roster(coach)
    assert row.gates["met"] < row.gates["total"]
    evidence_for_phase_0(athlete)  # no refresh: the summary is stale now
    CheckInFactory(athlete=athlete)
    (row,) = roster(coach)
    assert row.gates["all_met"] and row.action == ADVANCE
    assert fresh(plan).gates_valid_until is None  # reading never writes


def test_minimum_days_count_after_midnight_without_new_evidence(athlete, coach):
    plan = start_plan(athlete, 0, entered_days_ago=3)  # day 4; phase 0 needs day 5
    evidence_for_phase_0(athlete, session_days_ago=(3, 1, 0))
    CheckInFactory(athlete=athlete)
    plan = refreshed(plan)
    assert plan.gates_met == plan.gates_total - 1
    (row,) = roster(coach)
    assert row.action == COLLECT_EVIDENCE
    after_midnight = plan.gates_valid_until + dt.timedelta(minutes=1)
    (row,) = roster(coach, now=after_midnight)
    assert row.gates["met"] == row.gates["total"]


def test_refresh_skips_plans_that_are_not_active(athlete):
    plan = start_plan(athlete, 0)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    assert gate_summary.refresh_stale() == {"stale": 0, "stored": 0}


def test_refresh_works_in_chunks(team):
    plans = [start_plan(AthleteFactory(team=team), 1) for _ in range(5)]
    assert gate_summary.refresh_stale(chunk=2) == {"stale": 5, "stored": 5}
    assert all(fresh(p).gates_valid_until is not None for p in plans)
    # Run again (beat fires every minute, two workers may overlap): nothing left to do.
    epochs = [fresh(p).gates_epoch for p in plans]
    assert gate_summary.refresh_stale(chunk=2) == {"stale": 0, "stored": 0}
    assert [fresh(p).gates_epoch for p in plans] == epochs


def test_the_refresh_task_runs_through_celery_and_beat_schedules_it(athlete):
    plan = start_plan(athlete, 1)
    refresh_gate_summaries.delay()
    assert fresh(plan).gates_valid_until is not None
    schedule = settings.CELERY_BEAT_SCHEDULE["rehab-gate-summaries"]
    assert schedule["task"] == refresh_gate_summaries.name


def test_roster_query_count_is_the_same_with_stored_summaries(
    client, team, coach, django_assert_max_num_queries
):
    for _ in range(10):
        start_plan(AthleteFactory(team=team), 1)
    gate_summary.refresh_stale()
    client.force_login(coach)
    with django_assert_max_num_queries(17) as small:
        client.get(reverse("coach:roster"))
    for _ in range(40):
        start_plan(AthleteFactory(team=team), 2)
    gate_summary.refresh_stale()
    with django_assert_max_num_queries(17) as large:
        assert len(client.get(reverse("coach:roster")).context["rows"]) == 50
    assert len(large.captured_queries) == len(small.captured_queries)
