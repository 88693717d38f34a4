"""Two clinicians deciding the same request at the same moment: one decision, one conflict."""

import threading

import pytest
from django.db import connection

from athletes.models import AuditEvent, Role
from rehab.models import PhaseChange, SignOffDecision, SignOffRequest
from rehab.signoff import SignOffConflict, decide_signoff, request_signoff
from tests.concurrency import race
from tests.factories import staff
from tests.rehab.helpers import clinic

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_clinicians_deciding_at_once_make_one_decision():
    c = clinic()
    clinicians = iter([c.clinician, staff(c.team, Role.CLINICIAN)])
    request = request_signoff(c.plan, by=c.coach)
    lock = threading.Lock()

    def act():
        with lock:
            who = next(clinicians)
        return decide_signoff(
            SignOffRequest.objects.get(pk=request.pk),
            by=who,
            decision="approve",
            rationale="Gates met.",
        )

    outcomes = race(act)
    assert sorted(type(o).__name__ for o in outcomes) == ["SignOffConflict", "SignOffDecision"]
    assert any(isinstance(o, SignOffConflict) for o in outcomes)
    assert SignOffDecision.objects.count() == 1
    assert PhaseChange.objects.filter(kind="clinical_approval").count() == 1
    assert AuditEvent.objects.filter(action="signoff.approve").count() == 1
