"""The change queue: services queue a changed athlete in their own transaction
(athletes.evaluation.request_evaluation) and one consumer, rehab.evaluation.evaluate_pending,
evaluates them together (tests/monitoring/test_worker.py runs it in a real worker)."""

import datetime as dt

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from athletes.evaluation import CONSUMER_TASK
from athletes.models import EvaluationRequest
from monitoring.models import CheckIn, Flag, Measurement, TrainingSession
from monitoring.services import (
    CheckInConflict,
    record_checkin,
    record_measurement,
    record_session,
)
from rehab import evaluation
from rehab.scan import scan_all
from rehab.services import assign_protocol
from rehab.tasks import evaluate_pending as evaluate_pending_task
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    InjuryFactory,
    MeasurementFactory,
    SessionFactory,
    TeamFactory,
    metric,
    staff,
    start_plan,
    template,
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
    assert not EvaluationRequest.objects.filter(athlete=athlete).exists()  # factories queue nothing
    return athlete


def queued():
    return sorted(EvaluationRequest.objects.values_list("athlete", flat=True).distinct())


def test_one_run_evaluates_every_queued_athlete_and_empties_the_queue():
    team = TeamFactory()
    athletes = [athlete_in_pain(team) for _ in range(5)]
    EvaluationRequest.objects.bulk_create(
        [EvaluationRequest(athlete=a) for a in athletes for _ in range(2)]
    )
    report = evaluation.evaluate_pending(batch=3)  # several batches (an athlete may fall in two)
    assert report.flags_opened == 5 and report.failures == 0
    assert set(Flag.objects.values_list("athlete", flat=True)) == {a.pk for a in athletes}
    assert not EvaluationRequest.objects.exists()
    assert evaluation.evaluate_pending().athletes == 0  # nothing left to do


def test_requests_claimed_by_a_live_worker_are_left_and_a_dead_workers_are_taken_over():
    team = TeamFactory()
    held, abandoned = athlete_in_pain(team), athlete_in_pain(team)
    now = timezone.now()
    EvaluationRequest.objects.create(athlete=held, claimed_until=now + dt.timedelta(minutes=1))
    EvaluationRequest.objects.create(athlete=abandoned, claimed_until=now - dt.timedelta(minutes=1))
    report = evaluation.evaluate_pending()
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


# --- who queues: every service that writes evidence, in its own transaction ------------------


def test_a_measurement_a_session_and_a_new_plan_queue_their_athlete():
    athlete = AthleteFactory()
    coach = staff(athlete.team)
    record_measurement(athlete, by=coach, metric=metric("split_30m"), value=4.2)
    assert queued() == [athlete.pk]
    EvaluationRequest.objects.all().delete()
    record_session(
        athlete,
        by=coach,
        values={"date": timezone.localdate(), "type": "tempo", "duration_min": 30, "rpe": 4},
    )
    assert queued() == [athlete.pk]
    EvaluationRequest.objects.all().delete()
    injury = InjuryFactory(athlete=athlete)
    assign_protocol(injury, template(injury.muscle_group), by=coach)
    assert queued() == [athlete.pk]


def test_a_write_that_rolls_back_leaves_no_request():
    athlete = AthleteFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_measurement(athlete, by=None, metric=metric("split_30m"), value=4.2)
        raise RuntimeError("the import failed on a later row")
    assert not Measurement.objects.exists() and queued() == []


def test_rows_written_around_the_services_are_left_to_the_full_scan():
    """A bulk load or a raw UPDATE queues nothing (no trigger does the services' work): the
    scan every MONITORING_SCAN_MINUTES evaluates every athlete in an active plan anyway."""
    athlete = athlete_in_pain(TeamFactory())
    CheckIn.objects.filter(athlete=athlete).update(pain_activity=6)
    assert queued() == []
    scan_all()
    assert Flag.objects.filter(athlete=athlete, kind="pain_persisting").exists()


def test_the_consumer_the_queue_wakes_is_a_registered_task():
    assert current_app.tasks[CONSUMER_TASK].name == CONSUMER_TASK == evaluate_pending_task.name


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deleting_an_athlete_deletes_their_requests():
    athlete = AthleteFactory()
    session = SessionFactory(athlete=athlete)
    MeasurementFactory(athlete=athlete, metric=metric("split_30m"), session=session)
    CheckInFactory(athlete=athlete)
    EvaluationRequest.objects.create(athlete=athlete)
    athlete.delete()
    assert not EvaluationRequest.objects.exists()
    assert not Measurement.objects.exists() and not CheckIn.objects.exists()


def test_the_admin_shows_evidence_but_changes_it_only_through_the_services(rf):
    from django.contrib import admin

    from tests.factories import UserFactory

    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    for model in (CheckIn, Measurement, TrainingSession):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
