"""The stored gate counts (rehab.gate_summary): the change queue's consumer keeps them, the
calendar and every writer of evidence or gates queue the plans they change, and the roster
reads them, judging live only the plans whose counts are not good."""

import datetime as dt
import importlib

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from athletes.models import EvaluationRequest
from athletes.services import update_injury
from rehab import evaluation, gate_summary
from rehab.admin import GateCriterionAdmin
from rehab.gates import evaluate_plan
from rehab.models import GateCriterion, GateSummary, Phase
from rehab.selectors import roster
from rehab.services import copy_protocol, regress_phase
from tests.factories import AthleteFactory, MeasurementFactory, metric, start_plan
from tests.rehab.test_protocol_editor import form_data

pytestmark = pytest.mark.django_db

# The module (the package exports its function under the same name).
roster_selector = importlib.import_module("rehab.selectors.roster")


def queued():
    return sorted(EvaluationRequest.objects.values_list("athlete", flat=True).distinct())


def summary_of(plan) -> GateSummary:
    return GateSummary.objects.get(plan=plan)


def counts(report) -> tuple:
    return (report["met"], report["missing"], report["total"])


def test_the_consumer_stores_each_active_plans_counts_as_the_gate_engine_judges_them(world):
    plan = start_plan(world.athlete, 0, entered_days_ago=2)  # day 3 of "at least 5 days"
    EvaluationRequest.objects.create(athlete=world.athlete)
    evaluation.evaluate_pending()
    summary = summary_of(plan)
    assert (summary.met, summary.missing, summary.total) == counts(evaluate_plan(plan))
    assert summary.phase_id == plan.current_phase_id
    # The minimum-days gate turns at the local midnight that begins day 5.
    assert summary.valid_until == plan.day_begins_at(5)
    assert timezone.localtime(summary.valid_until).time() == dt.time(0, 0)
    assert not EvaluationRequest.objects.exists()


def test_the_calendar_queues_a_plan_again_when_its_minimum_days_gate_turns(world):
    plan = start_plan(world.athlete, 0, entered_days_ago=2)
    evaluation.evaluate_pending()  # no counts yet for the plan: the sweep queues it itself
    before = summary_of(plan)
    turns = before.valid_until
    assert evaluation.evaluate_pending(now=turns - dt.timedelta(minutes=1)).athletes == 0
    assert summary_of(plan).evaluated_at == before.evaluated_at  # nothing was due
    evaluation.evaluate_pending(now=turns + dt.timedelta(minutes=1))
    after = summary_of(plan)
    assert after.met == before.met + 1
    assert after.valid_until is None  # no gate waits on the calendar any more
    assert counts(evaluate_plan(plan, now=turns)) == (after.met, after.missing, after.total)


def test_due_lists_plans_without_counts_for_their_current_stay_and_skips_queued_athletes(world):
    plan = start_plan(world.athlete, 2)
    other = start_plan(world.teammate, 1)
    evaluation.evaluate_pending()
    assert not gate_summary.due(timezone.now()).exists()
    # Counts for an earlier phase say nothing of this one.
    GateSummary.objects.filter(plan=plan).update(
        phase=Phase.objects.get(protocol=plan.protocol, order=1)
    )
    # Counts made before the plan entered its phase (a regression and a return) neither.
    GateSummary.objects.filter(plan=other).update(
        evaluated_at=other.phase_entered_at - dt.timedelta(seconds=1)
    )
    assert set(gate_summary.due(timezone.now())) == {plan, other}
    EvaluationRequest.objects.create(athlete=world.teammate)
    assert list(gate_summary.due(timezone.now())) == [plan]


def test_a_summary_from_a_later_evaluation_is_kept(world):
    plan = start_plan(world.athlete, 0, entered_days_ago=2)
    later = timezone.now() + dt.timedelta(seconds=5)
    GateSummary.objects.create(
        plan=plan, phase=plan.current_phase, met=3, missing=0, total=3, evaluated_at=later
    )
    # Another worker's evaluation that began earlier, and so saw older evidence, stores nothing.
    assert gate_summary.refresh([world.athlete.pk], now=timezone.now()) == 0
    assert summary_of(plan).met == 3


def test_phase_moves_injury_edits_and_protocol_edits_queue_the_athletes_they_change(client, world):
    coach = world.coach
    plan = start_plan(world.athlete, 2)
    regress_phase(
        plan, to_phase=Phase.objects.get(protocol=plan.protocol, order=1), by=coach, reason="Sore"
    )
    assert queued() == [world.athlete.pk]
    EvaluationRequest.objects.all().delete()

    update_injury(plan.injury, by=coach, values={"side": "right"})
    assert queued() == [world.athlete.pk]
    EvaluationRequest.objects.all().delete()

    # The protocol editor: the team's copy, followed by the teammate's plan.
    copy = copy_protocol(plan.protocol, team=world.team, by=coach)
    mate = start_plan(world.teammate, 1)
    mate.protocol = copy
    mate.current_phase = copy.phases.get(order=1)
    mate.save()
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[copy.pk])
    data = form_data(client.get(url))
    data["protocol-pain_threshold"] = 4
    assert client.post(url, data).status_code == 302
    assert queued() == [world.teammate.pk]
    EvaluationRequest.objects.all().delete()

    # The admin: saving a gate criterion of the copy.
    gate = GateCriterion.objects.filter(phase__protocol=copy).first()
    request = RequestFactory().post("/")
    request.user = coach
    GateCriterionAdmin(GateCriterion, site).delete_model(request, gate)
    assert queued() == [world.teammate.pk]


def squad_with_counts(world, n=3):
    """Athletes of the home team in phase 0, their counts stored by the consumer."""
    plans = [start_plan(world.athlete, 0, entered_days_ago=2)]
    plans += [
        start_plan(AthleteFactory(team=world.team), 0, entered_days_ago=2) for _ in range(n - 1)
    ]
    evaluation.evaluate_pending()
    assert GateSummary.objects.count() == n
    return plans


def test_the_roster_reads_stored_counts_without_judging_any_gate(world, django_assert_num_queries):
    plans = squad_with_counts(world)
    now = timezone.now()
    # 9: one of them the 14-day check-in rates' grouped count (rehab.compliance).
    with django_assert_num_queries(9) as stored:
        rows = roster(world.coach, now=now)
    assert not any("gatecriterion" in q["sql"] for q in stored.captured_queries)
    by_plan = {row.plan.pk: row for row in rows if row.plan}
    for plan in plans:
        row = by_plan[plan.pk]
        assert not row.gates_updating
        report = evaluate_plan(plan, now=now)
        assert counts(row.gates) == counts(report)
        assert row.gates["all_met"] == report["all_met"]
    # Without stored counts the same rows are judged live, with the gate engine's reads.
    GateSummary.objects.all().delete()
    with django_assert_num_queries(13):
        live = roster(world.coach, now=now)
    assert [counts(r.gates) for r in live if r.plan] == [counts(r.gates) for r in rows if r.plan]


def test_plans_without_good_counts_are_judged_live_and_new_evidence_shows_as_updating(
    client, world, monkeypatch
):
    (plan,) = squad_with_counts(world, n=1)
    stored = GateSummary.objects.get(plan=plan)
    # The palpation test passed, recorded and queued; the consumer has not run yet: the row
    # keeps the last counts, saying they are being updated.
    MeasurementFactory(athlete=world.athlete, metric=metric("palpation"), side="left", value=1)
    EvaluationRequest.objects.create(athlete=world.athlete)
    (row,) = [r for r in roster(world.coach) if r.plan]
    assert row.gates_updating and row.gates["met"] == stored.met
    client.force_login(world.coach)
    page = client.get(reverse("coach:roster")).content.decode()
    assert f"{stored.met} of {stored.total}" in page and "updating…" in page
    # Counts past their `valid_until` are not shown: the row is judged live.
    GateSummary.objects.filter(plan=plan).update(valid_until=timezone.now())
    (row,) = [r for r in roster(world.coach) if r.plan]
    assert row.gates["met"] == stored.met + 1 and not row.gates_updating
    # ... unless more rows need it than a render judges: then the last counts, "updating".
    monkeypatch.setattr(roster_selector, "LIVE_GATES_LIMIT", 0)
    (row,) = [r for r in roster(world.coach) if r.plan]
    assert row.gates_updating and row.gates["met"] == stored.met
    # The consumer catches up: the new count, nothing updating.
    evaluation.evaluate_pending()
    (row,) = [r for r in roster(world.coach) if r.plan]
    assert row.gates["met"] == stored.met + 1 and not row.gates_updating
    assert "updating…" not in client.get(reverse("coach:roster")).content.decode()
