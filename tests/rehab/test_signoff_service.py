"""request_signoff and decide_signoff: who may decide, open flags, the plan's move, supersede."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from monitoring.models import FlagStatus
from rehab.models import PhaseChange, SignOffDecision, SignOffRequest
from rehab.services import regress_phase
from rehab.signoff import SignOffConflict, decide_signoff, request_signoff
from tests.factories import CheckInFactory, FlagFactory, SessionFactory
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db


def test_a_coach_requests_return_to_play_from_the_last_phase_with_an_evidence_snapshot():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach, note="All gates met for a week.")
    assert request.kind == SignOffRequest.Kind.RETURN_TO_PLAY
    assert request.target_phase.order == 6
    assert request.status == SignOffRequest.Status.PENDING
    assert request.evidence["gates"]["all_met"] is True
    assert len(request.evidence["pain_trend"]["labels"]) == 28
    assert {"metrics", "open_flags", "sessions"} <= set(request.evidence)


def test_a_second_request_is_refused_while_one_is_pending():
    c = clinic()
    request_signoff(c.plan, by=c.coach)
    with pytest.raises(SignOffConflict, match="already pending"):
        request_signoff(c.plan, by=c.coach)


def test_return_to_play_is_requested_only_from_the_last_phase_before_maintenance():
    c = clinic(phase=3)
    with pytest.raises(ValidationError, match="last phase before maintenance"):
        request_signoff(c.plan, by=c.coach)


@pytest.mark.parametrize("who", ["clinician", "outsider"])
def test_only_the_athletes_coach_requests_sign_off(who):
    c = clinic()
    with pytest.raises(PermissionDenied):
        request_signoff(c.plan, by=getattr(c, who))


@pytest.mark.parametrize("who", ["coach", "outsider", "athlete_user"])
def test_only_a_clinician_of_the_athletes_team_decides(who):
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    user = c.athlete.user if who == "athlete_user" else getattr(c, who)
    with pytest.raises(PermissionDenied):
        decide_signoff(request, by=user, decision="approve", rationale="ok")
    assert not SignOffDecision.objects.exists()


def test_approval_moves_the_plan_to_maintenance_with_a_clinical_approval_change():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    decision = decide_signoff(
        request,
        by=c.clinician,
        decision="approve",
        rationale="Gates met with margin.",
        restrictions="No spikes for 7 days.",
    )
    c.plan.refresh_from_db()
    request.refresh_from_db()
    assert c.plan.current_phase.order == 6
    assert request.status == SignOffRequest.Status.APPROVED
    assert decision.decided_role == "clinician" and decision.decided_by == c.clinician
    change = c.plan.phase_changes.get(kind=PhaseChange.Kind.CLINICAL_APPROVAL)
    assert change.to_phase.order == 6 and change.changed_by == c.clinician
    assert change.evidence["gates"] == request.evidence["gates"]


def test_a_decline_keeps_the_phase():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    decide_signoff(request, by=c.clinician, decision="decline", rationale="Hop LSI borderline.")
    c.plan.refresh_from_db()
    request.refresh_from_db()
    assert c.plan.current_phase.order == 5
    assert request.status == SignOffRequest.Status.DECLINED


@pytest.mark.parametrize("status", [FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED])
def test_approving_with_an_unresolved_flag_is_refused(status):
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    FlagFactory(
        athlete=c.athlete,
        status=status,
        acknowledged_at=timezone.now() if status == FlagStatus.ACKNOWLEDGED else None,
    )
    with pytest.raises(ValidationError) as error:
        decide_signoff(request, by=c.clinician, decision="approve", rationale="ok")
    assert "decision" in error.value.message_dict
    c.plan.refresh_from_db()
    assert c.plan.current_phase.order == 5
    assert not SignOffDecision.objects.exists()


def test_a_resolved_flag_does_not_block_approval():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    now = timezone.now()
    FlagFactory(athlete=c.athlete, status=FlagStatus.RESOLVED, acknowledged_at=now, resolved_at=now)
    decide_signoff(request, by=c.clinician, decision="approve", rationale="ok")


@pytest.mark.parametrize(
    "decision, rationale, field",
    [("", "ok", "decision"), ("maybe", "ok", "decision"), ("approve", "  ", "rationale")],
)
def test_a_decision_needs_a_choice_and_a_rationale(decision, rationale, field):
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    with pytest.raises(ValidationError) as error:
        decide_signoff(request, by=c.clinician, decision=decision, rationale=rationale)
    assert field in error.value.message_dict


def test_a_decided_request_takes_a_new_decision_only_through_supersede_and_both_stay():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    first = decide_signoff(request, by=c.clinician, decision="decline", rationale="Not yet.")
    with pytest.raises(SignOffConflict):
        decide_signoff(request, by=c.clinician, decision="approve", rationale="Now yes.")
    second = decide_signoff(
        request, by=c.clinician, decision="approve", rationale="Re-test passed.", supersede=True
    )
    assert second.supersedes == first
    assert list(request.decisions.order_by("decided_at", "id")) == [first, second]
    c.plan.refresh_from_db()
    assert c.plan.current_phase.order == 6


def test_a_withdrawn_request_cannot_be_decided():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    regress_phase(
        c.plan, to_phase=c.plan.protocol.phases.get(order=4), by=c.clinician, reason="Pain."
    )
    with pytest.raises(SignOffConflict, match="withdrawn"):
        decide_signoff(request, by=c.clinician, decision="approve", rationale="ok")


def test_the_evidence_snapshot_does_not_change_when_later_data_arrives():
    c = clinic()
    CheckInFactory(athlete=c.athlete, pain_rest=1, pain_activity=1, pain_morning=1)
    request = request_signoff(c.plan, by=c.coach)
    snapshot = request.evidence
    later = timezone.now() + dt.timedelta(minutes=1)
    FlagFactory(athlete=c.athlete, opened_at=later)
    SessionFactory(athlete=c.athlete, pain_during=6, pain_after=7)
    CheckInFactory(
        athlete=c.athlete,
        taken_at=later - dt.timedelta(days=1),
        pain_rest=8,
        pain_activity=8,
        pain_morning=8,
    )
    request.refresh_from_db()
    assert request.evidence == snapshot
    assert request.evidence["open_flags"] == [] and request.evidence["sessions"] == []
