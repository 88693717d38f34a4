"""Advance, regress and assign: gates or a written override, clinician review, history, locks."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from athletes.models import Role
from monitoring.models import FlagKind
from rehab.models import Phase, PhaseChange, Plan, Protocol, SignOffRequest
from rehab.services import PhaseConflict, advance_phase, assign_protocol, regress_phase
from tests.concurrency import race
from tests.factories import (
    AthleteFactory,
    FlagFactory,
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


def ready_in_phase_0(team):
    """A plan in phase 0 whose three gates (pain, 5 days, palpation) are all met."""
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, 0, entered_days_ago=10)
    today = timezone.localdate()
    for n in (5, 3, 1):
        SessionFactory(
            athlete=athlete, date=today - dt.timedelta(days=n), pain_during=0, pain_after=1
        )
    MeasurementFactory(athlete=athlete, metric=metric("palpation"), side="left", value=1)
    return plan


def phase(plan, order):
    return Phase.objects.get(protocol=plan.protocol, order=order)


# --- advance ------------------------------------------------------------------------------


def test_advance_with_every_gate_met_records_who_when_and_the_evidence(team, coach):
    plan = ready_in_phase_0(team)
    result = advance_phase(plan, by=coach)
    plan.refresh_from_db()
    assert result.outcome == "advanced"
    assert plan.current_phase.order == 1 and plan.version == 1
    change = plan.phase_changes.get(kind=PhaseChange.Kind.ADVANCE)
    assert change.changed_by == coach and change.from_phase.order == 0
    assert change.evidence["gates"]["all_met"] is True
    assert {g["status"] for g in change.evidence["gates"]["gates"]} == {"met"}
    assert result.message.startswith("Advanced to phase 1")


def test_advance_with_a_gate_not_met_needs_an_override(team, coach):
    plan = start_plan(AthleteFactory(team=team), 0, entered_days_ago=1)
    with pytest.raises(ValidationError) as error:
        advance_phase(plan, by=coach)
    assert "override" in error.value.message_dict
    assert "missing evidence" in error.value.message_dict["override"][0]
    plan.refresh_from_db()
    assert plan.current_phase.order == 0 and plan.phase_changes.count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_without_a_written_reason_is_refused(team, coach, reason):
    plan = start_plan(AthleteFactory(team=team), 0, entered_days_ago=1)
    with pytest.raises(ValidationError) as error:
        advance_phase(plan, by=coach, override=True, reason=reason)
    assert error.value.message_dict["reason"] == ["An override needs a written reason."]
    plan.refresh_from_db()
    assert plan.current_phase.order == 0 and plan.version == 0


def test_override_with_a_reason_advances_and_says_so(team, coach):
    plan = start_plan(AthleteFactory(team=team), 0, entered_days_ago=1)
    advance_phase(plan, by=coach, override=True, reason="Clinician cleared by phone")
    change = plan.phase_changes.get(kind=PhaseChange.Kind.OVERRIDE)
    assert change.reason == "Clinician cleared by phone"
    assert change.evidence["override"] is True
    assert change.evidence["gates"]["all_met"] is False


@pytest.mark.parametrize("from_order, kind", [(4, "phase_review"), (5, "return_to_play")])
def test_entering_a_phase_that_needs_clinical_review_creates_a_pending_request(
    team, coach, from_order, kind
):
    plan = start_plan(AthleteFactory(team=team), from_order)
    result = advance_phase(plan, by=coach, override=True, reason="Testing the flow")
    plan.refresh_from_db()
    assert result.outcome == "review_requested"
    assert "Ready for clinician review" in result.message
    assert plan.current_phase.order == from_order  # not advanced
    request = SignOffRequest.objects.get(plan=plan)
    assert request.kind == kind and request.status == "pending"
    assert request.target_phase.order == from_order + 1
    assert request.evidence["gates"]["phase"]["order"] == from_order
    assert not plan.phase_changes.exclude(kind="start").exists()
    with pytest.raises(ValidationError, match="already pending"):
        advance_phase(plan, by=coach, override=True, reason="again")


def test_advance_from_the_last_phase_is_refused(team, coach):
    plan = start_plan(AthleteFactory(team=team), 6)
    with pytest.raises(ValidationError, match="last phase"):
        advance_phase(plan, by=coach)


def test_a_stale_version_is_a_conflict_and_changes_nothing(team, coach):
    plan = ready_in_phase_0(team)
    advance_phase(plan, by=coach, expected_version=0)
    with pytest.raises(PhaseConflict):
        advance_phase(plan, by=coach, override=True, reason="x", expected_version=0)
    plan.refresh_from_db()
    assert plan.current_phase.order == 1
    assert plan.phase_changes.count() == 2


def test_only_the_athletes_coach_can_advance(team, clinician):
    plan = ready_in_phase_0(team)
    outsider = staff(TeamFactory(), Role.COACH)
    for user in (clinician, outsider):
        with pytest.raises(PermissionDenied):
            advance_phase(plan, by=user)
    plan.refresh_from_db()
    assert plan.current_phase.order == 0


# --- regress ------------------------------------------------------------------------------


def test_regress_to_any_earlier_phase_with_a_reason(team, coach):
    plan = start_plan(AthleteFactory(team=team), 4)
    change = regress_phase(plan, to_phase=phase(plan, 1), by=coach, reason="Pain in fly-ins")
    plan.refresh_from_db()
    assert plan.current_phase.order == 1 and plan.version == 1
    assert change.kind == "regress" and change.from_phase.order == 4
    assert change.reason == "Pain in fly-ins" and change.changed_by == coach


def test_a_clinician_may_regress(team, clinician):
    plan = start_plan(AthleteFactory(team=team), 3)
    regress_phase(plan, to_phase=phase(plan, 2), by=clinician, reason="Tender on palpation")
    plan.refresh_from_db()
    assert plan.current_phase.order == 2


@pytest.mark.parametrize("reason", ["", "  "])
def test_regress_without_a_reason_is_refused(team, coach, reason):
    plan = start_plan(AthleteFactory(team=team), 3)
    with pytest.raises(ValidationError) as error:
        regress_phase(plan, to_phase=phase(plan, 2), by=coach, reason=reason)
    assert "reason" in error.value.message_dict
    plan.refresh_from_db()
    assert plan.current_phase.order == 3


@pytest.mark.parametrize("order", [3, 4])
def test_regress_to_the_same_or_a_later_phase_is_refused(team, coach, order):
    plan = start_plan(AthleteFactory(team=team), 3)
    with pytest.raises(ValidationError) as error:
        regress_phase(plan, to_phase=phase(plan, order), by=coach, reason="x")
    assert "to_phase" in error.value.message_dict
    plan.refresh_from_db()
    assert plan.current_phase.order == 3 and plan.phase_changes.count() == 1


def test_regress_to_a_phase_of_another_protocol_is_refused(team, coach):
    plan = start_plan(AthleteFactory(team=team), 3)
    calf_phase = Phase.objects.get(protocol=template("calf"), order=1)
    with pytest.raises(ValidationError) as error:
        regress_phase(plan, to_phase=calf_phase, by=coach, reason="x")
    assert "to_phase" in error.value.message_dict


def test_regress_takes_a_pain_flags_proposal_and_keeps_the_flag_as_evidence(team, coach):
    plan = start_plan(AthleteFactory(team=team), 3)
    flag = FlagFactory(
        athlete=plan.athlete,
        plan=plan,
        kind=FlagKind.PAIN_PERSISTING,
        proposed_regression_to=phase(plan, 2),
        evidence={"reports": [1, 2]},
    )
    change = regress_phase(plan, to_phase=None, by=coach, reason="Pain flag", flag=flag)
    assert change.to_phase.order == 2
    assert change.evidence["flag"]["id"] == flag.pk


def test_regress_withdraws_a_pending_clinician_review(team, coach):
    plan = start_plan(AthleteFactory(team=team), 4)
    advance_phase(plan, by=coach, override=True, reason="ask")
    regress_phase(plan, to_phase=phase(plan, 3), by=coach, reason="Hamstring tight")
    assert SignOffRequest.objects.get(plan=plan).status == "withdrawn"


def test_an_outsider_cannot_regress(team):
    plan = start_plan(AthleteFactory(team=team), 3)
    with pytest.raises(PermissionDenied):
        regress_phase(plan, to_phase=phase(plan, 1), by=staff(TeamFactory()), reason="x")


# --- assign -------------------------------------------------------------------------------


def test_assign_protocol_starts_the_plan_at_phase_0(team, coach):
    injury = InjuryFactory(athlete=AthleteFactory(team=team), muscle_group="calf")
    plan = assign_protocol(injury, template("calf"), by=coach)
    assert plan.current_phase.order == 0 and plan.status == "active"
    start = plan.phase_changes.get()
    assert start.kind == "start" and start.changed_by == coach


def test_assign_is_refused_when_the_athlete_already_has_an_active_plan(team, coach):
    athlete = AthleteFactory(team=team)
    start_plan(athlete, 2)
    injury = InjuryFactory(athlete=athlete)
    with pytest.raises(ValidationError) as error:
        assign_protocol(injury, template("hamstring"), by=coach)
    assert "active plan" in error.value.message_dict["protocol"][0]
    assert Plan.objects.filter(athlete=athlete).count() == 1


def test_assign_refuses_another_muscle_group_or_another_teams_protocol(team, coach):
    injury = InjuryFactory(athlete=AthleteFactory(team=team), muscle_group="hamstring")
    with pytest.raises(ValidationError):
        assign_protocol(injury, template("calf"), by=coach)
    theirs = Protocol.objects.create(name="Theirs", muscle_group="hamstring", team=TeamFactory())
    with pytest.raises(ValidationError):
        assign_protocol(injury, theirs, by=coach)
    with pytest.raises(PermissionDenied):
        assign_protocol(injury, template("hamstring"), by=staff(TeamFactory()))
    assert not Plan.objects.filter(injury=injury).exists()


# --- concurrency (PostgreSQL: real row locks) -------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coaches_advancing_at_once_make_one_transition():
    team = TeamFactory()
    coaches = [staff(team), staff(team)]
    plan = ready_in_phase_0(team)
    turn = iter(coaches)
    lock = threading.Lock()

    def act():
        with lock:
            coach = next(turn)
        return advance_phase(Plan.objects.get(pk=plan.pk), by=coach, expected_version=0)

    outcomes = race(act)
    assert sorted(type(o).__name__ for o in outcomes) == ["AdvanceResult", "PhaseConflict"]
    plan.refresh_from_db()
    assert plan.current_phase.order == 1 and plan.version == 1
    assert plan.phase_changes.filter(kind="advance").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_advance_and_regress_at_once_apply_only_one():
    team = TeamFactory()
    coach = staff(team)
    plan = start_plan(AthleteFactory(team=team), 3)
    calls = iter(
        [
            lambda: advance_phase(
                Plan.objects.get(pk=plan.pk),
                by=coach,
                override=True,
                reason="go",
                expected_version=0,
            ),
            lambda: regress_phase(
                Plan.objects.get(pk=plan.pk),
                to_phase=phase(plan, 1),
                by=coach,
                reason="back",
                expected_version=0,
            ),
        ]
    )
    lock = threading.Lock()

    def act():
        with lock:
            call = next(calls)
        return call()

    outcomes = race(act)
    assert sum(isinstance(o, PhaseConflict) for o in outcomes) == 1
    plan.refresh_from_db()
    assert plan.version == 1
    assert plan.phase_changes.exclude(kind="start").count() == 1
