"""One phase-move path and one sign-off-request path (rehab.transitions): an advance, a
regression and a clinician's approval move a plan the same way; an advance into a reviewed
phase and a return-to-play request open the same kind of request."""

import datetime as dt

import pytest
import time_machine

from athletes.models import AuditAction, AuditEvent
from rehab.models import PhaseChange, Plan, SignOffRequest
from rehab.services import advance_phase, regress_phase
from rehab.signoff import decide_signoff, request_signoff
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def advance(c):
    return advance_phase(c.plan, by=c.coach, now=NOW).phase_change


def regress(c):
    earlier = c.plan.earlier_phases().last()
    return regress_phase(c.plan, to_phase=earlier, by=c.clinician, reason="Tight", now=NOW)


def approve(c):
    request = request_signoff(c.plan, by=c.coach, now=NOW - dt.timedelta(hours=1))
    decide_signoff(request, by=c.clinician, decision="approve", rationale="Gates met", now=NOW)
    return PhaseChange.objects.get(kind=PhaseChange.Kind.CLINICAL_APPROVAL)


@pytest.mark.parametrize(
    "phase, move, kind, event",
    [
        (3, advance, PhaseChange.Kind.ADVANCE, AuditAction.PHASE_ADVANCE),
        (5, regress, PhaseChange.Kind.REGRESS, AuditAction.PHASE_REGRESS),
        # The approval's one event is the decision's: it names the phase change.
        (5, approve, PhaseChange.Kind.CLINICAL_APPROVAL, AuditAction.SIGNOFF_APPROVE),
    ],
)
def test_every_phase_move_writes_the_plan_its_history_and_one_event_alike(phase, move, kind, event):
    with time_machine.travel(NOW, tick=False):
        c = clinic(phase=phase)
        from_phase, version = c.plan.current_phase, c.plan.version
        change = move(c)
        plan = Plan.objects.get(pk=c.plan.pk)

        assert (change.kind, change.from_phase, change.changed_at) == (kind, from_phase, NOW)
        assert (plan.current_phase, plan.phase_entered_at) == (change.to_phase, NOW)
        assert plan.version > version and plan.day_in_phase(NOW) == 1
        (audit,) = AuditEvent.objects.filter(action=event)
        assert (audit.before["phase"], audit.after["phase"]) == (phase, change.to_phase.order)
        assert audit.target_id in (change.pk, audit.after.get("decision"))
        assert audit.after.get("phase_change", change.pk) == change.pk


def test_an_advance_into_review_and_a_request_open_the_same_kind_of_request():
    by_advance, by_request = clinic(phase=5), clinic(phase=5)

    advanced = advance_phase(by_advance.plan, by=by_advance.coach).signoff_request
    requested = request_signoff(by_request.plan, by=by_request.coach, note="Ready")

    for request in (advanced, requested):
        assert request.kind == SignOffRequest.Kind.RETURN_TO_PLAY
        assert request.target_phase.order == 6 and request.plan.current_phase.order == 5
        assert Plan.objects.get(pk=request.plan_id).version == 1
        event = AuditEvent.objects.get(action=AuditAction.SIGNOFF_REQUEST, target_id=request.pk)
        # Both say whether an override came with the request (a request needs every gate met).
        assert event.after == {
            "request": request.pk,
            "kind": "return_to_play",
            "target_phase": 6,
            "override": False,
        }


def test_an_advance_into_a_reviewed_phase_before_the_last_asks_for_a_phase_review():
    c = clinic(phase=4)
    request = advance_phase(c.plan, by=c.coach).signoff_request
    assert request.kind == SignOffRequest.Kind.PHASE_REVIEW and request.target_phase.order == 5
    event = AuditEvent.objects.get(action=AuditAction.SIGNOFF_REQUEST)
    assert event.after["override"] is False
