"""Every audited action writes exactly one AuditEvent, with actor, role, before and after."""

import pytest
from django.utils import timezone

from athletes.models import AuditAction, AuditEvent
from monitoring.services import acknowledge_flag, resolve_flag
from rehab.services import advance_phase, assign_protocol, regress_phase
from rehab.signoff import decide_signoff, request_signoff
from tests.factories import FlagFactory, InjuryFactory, start_plan, template
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db


def only_new_event(since: int) -> AuditEvent:
    events = list(AuditEvent.objects.filter(pk__gt=since))
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_assigning_a_protocol_writes_one_event():
    c = clinic()
    injury = InjuryFactory(athlete=c.team.athletes.create(first_name="New", last_name="One"))
    mark = last_id()
    plan = assign_protocol(injury, template(), by=c.coach)
    event = only_new_event(mark)
    assert (event.action, event.actor, event.role) == (AuditAction.PLAN_ASSIGN, c.coach, "coach")
    assert event.target_id == plan.pk and event.after["phase"] == 0


@pytest.mark.parametrize("override", [False, True])
def test_advancing_writes_one_event(override):
    c = clinic(phase=1, gates_met=not override)
    mark = last_id()
    advance_phase(c.plan, by=c.coach, override=override, reason="Coach's judgement")
    event = only_new_event(mark)
    expected = AuditAction.PHASE_OVERRIDE if override else AuditAction.PHASE_ADVANCE
    assert event.action == expected
    assert (event.before["phase"], event.after["phase"]) == (1, 2)


def test_advancing_into_a_reviewed_phase_writes_one_request_event():
    c = clinic(phase=4)
    mark = last_id()
    advance_phase(c.plan, by=c.coach)
    assert only_new_event(mark).action == AuditAction.SIGNOFF_REQUEST


def test_regressing_writes_one_event():
    c = clinic(phase=3)
    mark = last_id()
    regress_phase(c.plan, to_phase=c.plan.protocol.phases.get(order=2), by=c.clinician, reason="x")
    event = only_new_event(mark)
    assert (event.action, event.role) == (AuditAction.PHASE_REGRESS, "clinician")
    assert (event.before["phase"], event.after["phase"]) == (3, 2)


def test_flag_acknowledge_and_resolve_write_one_event_each():
    c = clinic()
    flag = FlagFactory(athlete=c.athlete)
    mark = last_id()
    acknowledge_flag(flag, by=c.coach)
    event = only_new_event(mark)
    assert event.action == AuditAction.FLAG_ACKNOWLEDGE and event.after["status"] == "acknowledged"
    mark = last_id()
    resolve_flag(flag, by=c.clinician, note="Assessed: cramp, not a re-injury.")
    event = only_new_event(mark)
    assert event.action == AuditAction.FLAG_RESOLVE
    assert (event.before["status"], event.after["status"]) == ("acknowledged", "resolved")


def test_request_and_decision_write_one_event_each():
    c = clinic()
    mark = last_id()
    request = request_signoff(c.plan, by=c.coach, note="ready")
    assert only_new_event(mark).action == AuditAction.SIGNOFF_REQUEST
    mark = last_id()
    decision = decide_signoff(request, by=c.clinician, decision="approve", rationale="ok")
    event = only_new_event(mark)
    assert event.action == AuditAction.SIGNOFF_APPROVE
    assert event.target_type == "rehab.signoffdecision" and event.target_id == decision.pk
    assert (event.before["phase"], event.after["phase"]) == (5, 6)
    mark = last_id()
    decide_signoff(request, by=c.clinician, decision="decline", rationale="no", supersede=True)
    assert only_new_event(mark).action == AuditAction.SIGNOFF_DECLINE


def test_a_refused_action_writes_no_event():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    FlagFactory(athlete=c.athlete, opened_at=timezone.now())
    mark = last_id()
    with pytest.raises(Exception):  # noqa: B017 - the kind of refusal is tested elsewhere
        decide_signoff(request, by=c.clinician, decision="approve", rationale="ok")
    assert not AuditEvent.objects.filter(pk__gt=mark).exists()


def test_start_plan_factory_writes_no_event_so_counts_above_are_exact():
    c = clinic()
    start_plan(c.team.athletes.create(first_name="A", last_name="B"), 0)
    assert not AuditEvent.objects.exists()
