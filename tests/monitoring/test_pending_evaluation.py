"""Changed athletes are queued in the database with their data and evaluated together by
jobs.evaluate_pending (tests/monitoring/test_worker.py runs it in a real worker)."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring import jobs
from monitoring.models import CheckIn, EvaluationRequest, Flag, Measurement
from monitoring.services import CheckInConflict, record_checkin
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


def athlete_in_pain(team):
    """In an active plan, with painful reports over the last days: one more raises a flag."""
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, phase_order=2, entered_days_ago=1)
    plan.started_at = timezone.now() - dt.timedelta(days=20)
    plan.save()
    now = timezone.now()
    for hours in (72, 48, 24):
        CheckInFactory(athlete=athlete, taken_at=now - dt.timedelta(hours=hours), pain_activity=5)
    # Those inserts queued the athlete (the database trigger); start each test from an empty
    # queue so it sees only what it queues itself.
    EvaluationRequest.objects.filter(athlete=athlete).delete()
    return athlete


def queued():
    return sorted(EvaluationRequest.objects.values_list("athlete", flat=True).distinct())


def test_one_run_evaluates_every_queued_athlete_and_empties_the_queue():
    team = TeamFactory()
    athletes = [athlete_in_pain(team) for _ in range(5)]
    EvaluationRequest.objects.bulk_create(
        [EvaluationRequest(athlete=a) for a in athletes for _ in range(2)]
    )
    report = jobs.evaluate_pending(batch=3)  # several batches (an athlete may fall in two)
    assert report.flags_opened == 5 and report.failures == 0
    assert set(Flag.objects.values_list("athlete", flat=True)) == {a.pk for a in athletes}
    assert not EvaluationRequest.objects.exists()
    assert jobs.evaluate_pending().athletes == 0  # nothing left to do


def test_requests_claimed_by_a_live_worker_are_left_and_a_dead_workers_are_taken_over():
    team = TeamFactory()
    held, abandoned = athlete_in_pain(team), athlete_in_pain(team)
    now = timezone.now()
    EvaluationRequest.objects.create(athlete=held, claimed_until=now + dt.timedelta(minutes=1))
    EvaluationRequest.objects.create(athlete=abandoned, claimed_until=now - dt.timedelta(minutes=1))
    report = jobs.evaluate_pending()
    assert report.athletes == 1
    assert list(Flag.objects.values_list("athlete", flat=True)) == [abandoned.pk]
    assert list(EvaluationRequest.objects.values_list("athlete", flat=True)) == [held.pk]


def test_a_checkin_queues_its_athlete_in_its_own_transaction_and_a_refused_one_does_not():
    athlete = AthleteFactory()
    values = {"pain_rest": 1, "pain_activity": 2, "pain_morning": 1}
    record_checkin(athlete, by=None, values=values)
    assert list(EvaluationRequest.objects.values_list("athlete", flat=True)) == [athlete.pk]
    with pytest.raises(CheckInConflict):
        record_checkin(athlete, by=None, values=values)
    assert EvaluationRequest.objects.count() == 1


def test_the_queued_evaluation_runs_after_commit_and_raises_the_flag(
    django_capture_on_commit_callbacks,
):
    athlete = athlete_in_pain(TeamFactory())
    with django_capture_on_commit_callbacks(execute=True):
        record_checkin(
            athlete, by=None, values={"pain_rest": 2, "pain_activity": 5, "pain_morning": 4}
        )
    assert Flag.objects.filter(athlete=athlete, kind="pain_persisting").exists()
    assert not EvaluationRequest.objects.exists()


# --- the trigger: whoever writes a check-in or measurement queues its athlete --------------------


def test_rows_written_without_the_services_queue_their_athletes_once_per_statement():
    first, second = AthleteFactory(), AthleteFactory()
    now = timezone.now()
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                athlete=athlete,
                taken_at=now - dt.timedelta(days=day),
                local_date=timezone.localdate(now - dt.timedelta(days=day)),
                pain_rest=1,
                pain_activity=1,
                pain_morning=1,
            )
            for athlete in (first, second)
            for day in range(1, 31)
        ]
    )
    assert queued() == sorted([first.pk, second.pk])
    # One statement of 60 rows: each athlete once, not once per row.
    assert EvaluationRequest.objects.count() == 2


def test_a_change_of_a_value_the_rules_read_queues_and_any_other_change_does_not():
    checkin = CheckInFactory(pain_activity=1)
    measurement = MeasurementFactory(athlete=checkin.athlete, metric=metric("split_30m"))
    EvaluationRequest.objects.all().delete()
    CheckIn.objects.filter(pk=checkin.pk).update(note="felt fine")
    Measurement.objects.filter(pk=measurement.pk).update(notes="gates 2 trials")
    assert queued() == []
    CheckIn.objects.filter(pk=checkin.pk).update(pain_activity=1)  # the same value
    assert queued() == []
    CheckIn.objects.filter(pk=checkin.pk).update(pain_activity=6)
    assert queued() == [checkin.athlete_id]
    EvaluationRequest.objects.all().delete()
    Measurement.objects.filter(pk=measurement.pk).update(value=measurement.value * 1.05)
    assert queued() == [checkin.athlete_id]


def test_a_measurement_moved_to_another_athlete_queues_both():
    measurement = MeasurementFactory(metric=metric("split_30m"))
    other = AthleteFactory(team=measurement.athlete.team)
    EvaluationRequest.objects.all().delete()
    Measurement.objects.filter(pk=measurement.pk).update(athlete=other)
    assert queued() == sorted([measurement.athlete_id, other.pk])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deleting_an_athlete_with_sessions_and_measurements_commits():
    """Deleting an athlete first sets their measurements' session to NULL: that change must not
    queue a request for the athlete deleted a moment later (it would fail at commit)."""
    athlete = AthleteFactory()
    session = SessionFactory(athlete=athlete)
    MeasurementFactory(athlete=athlete, metric=metric("split_30m"), session=session)
    CheckInFactory(athlete=athlete)
    athlete.delete()
    assert not EvaluationRequest.objects.exists()
    assert not Measurement.objects.exists() and not CheckIn.objects.exists()
