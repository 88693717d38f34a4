"""The audit trail on the coach's athlete page, and its CSV export (scoped to the team's staff)."""

import csv
import io

import pytest

from rehab.services import regress_phase
from rehab.signoff import decide_signoff, request_signoff
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db


@pytest.fixture
def c():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach, note="ready")
    decide_signoff(
        request,
        by=c.clinician,
        decision="approve",
        rationale="Gates met.",
        restrictions="No spikes",
    )
    regress_phase(
        c.plan, to_phase=c.plan.protocol.phases.get(order=5), by=c.coach, reason="=cmd|calf tight"
    )
    return c


def test_the_athlete_page_shows_the_decision_and_the_audit_timeline(client, c):
    client.force_login(c.coach)
    page = client.get(f"/coach/athletes/{c.athlete.pk}/").content.decode()
    assert "Return to play approved by Priya Nair" in page
    assert "Clinician review requested" in page
    assert "Approved by clinician" in page and "phase 5 → 6" in page
    assert "Phase regressed" in page


def test_staff_export_the_audit_trail_as_csv(client, c):
    for user in (c.coach, c.clinician):
        client.force_login(user)
        response = client.get(f"/coach/athletes/{c.athlete.pk}/audit.csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][:2] == ["at", "action"]
        assert [r[1] for r in rows[1:]] == ["signoff.request", "signoff.approve", "phase.regress"]
        assert rows[3][2] == c.coach.username
        assert '"reason": "=cmd|calf tight"' in rows[3][7]


@pytest.mark.parametrize("who, status", [("outsider", 404), ("athlete", 403)])
def test_nobody_else_exports_the_audit_trail(client, c, who, status):
    client.force_login(c.athlete.user if who == "athlete" else c.outsider)
    assert client.get(f"/coach/athletes/{c.athlete.pk}/audit.csv").status_code == status
