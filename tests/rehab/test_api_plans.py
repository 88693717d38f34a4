"""Plans through the API: the same services as the coach pages."""

import pytest
from rest_framework.test import APIClient

from rehab.models import PhaseChange, Plan, SignOffRequest
from tests.factories import (
    InjuryFactory,
    start_plan,
    template,
)

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def squad(world):
    """The world's athlete and staff, and the other team's coach."""
    return {
        "athlete": world.athlete,
        "coach": world.coach,
        "clinician": world.clinician,
        "outsider": world.outsider_coach,
    }


def test_a_coach_starts_a_plan_for_an_injury(squad):
    injury = InjuryFactory(athlete=squad["athlete"], muscle_group="calf")
    body = {"injury": injury.pk, "protocol": template("calf").pk}
    response = client_for(squad["coach"]).post("/api/v1/plans/", body)
    assert response.status_code == 201, response.json()
    assert response.json()["current_phase"]["order"] == 0
    again = client_for(squad["coach"]).post("/api/v1/plans/", body)
    assert again.status_code == 400
    wrong = client_for(squad["coach"]).post(
        "/api/v1/plans/",
        {"injury": InjuryFactory(athlete=squad["athlete"]).pk, "protocol": template("calf").pk},
    )
    assert wrong.status_code == 400
    outsider = client_for(squad["outsider"]).post("/api/v1/plans/", body)
    assert outsider.status_code == 400 and "injury" in outsider.json()
    assert Plan.objects.count() == 1


def test_advance_needs_every_gate_or_an_override_with_a_reason(squad):
    plan = start_plan(squad["athlete"], phase_order=1, entered_days_ago=1)
    client = client_for(squad["coach"])
    refused = client.post(f"/api/v1/plans/{plan.pk}/advance/", {})
    assert refused.status_code == 400 and "override" in refused.json()
    no_reason = client.post(f"/api/v1/plans/{plan.pk}/advance/", {"override": True})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    done = client.post(
        f"/api/v1/plans/{plan.pk}/advance/",
        {"override": True, "reason": "Physio assessed in person."},
    )
    assert done.status_code == 200 and done.json()["outcome"] == "advanced"
    assert done.json()["plan"]["current_phase"]["order"] == 2
    assert PhaseChange.objects.filter(plan=plan, kind="override").count() == 1


def test_advancing_into_a_clinical_review_phase_asks_for_review(squad):
    plan = start_plan(squad["athlete"], phase_order=4, entered_days_ago=1)
    response = client_for(squad["coach"]).post(
        f"/api/v1/plans/{plan.pk}/advance/", {"override": True, "reason": "Test"}
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "review_requested"
    assert "clinician review" in response.json()["message"]
    assert SignOffRequest.objects.get(pk=response.json()["signoff"]).status == "pending"
    plan.refresh_from_db()
    assert plan.current_phase.order == 4


def test_regress_needs_a_reason_and_an_earlier_phase(squad):
    plan = start_plan(squad["athlete"], phase_order=3)
    client = client_for(squad["clinician"])
    url = f"/api/v1/plans/{plan.pk}/regress/"
    assert client.post(url, {"to_phase": 2}).status_code == 400
    assert client.post(url, {"to_phase": 4, "reason": "x"}).status_code == 400
    assert client.post(url, {"to_phase": 9, "reason": "x"}).status_code == 400
    ok = client.post(url, {"to_phase": 1, "reason": "Pain above threshold for 52 h."})
    assert ok.status_code == 200 and ok.json()["current_phase"]["order"] == 1


def test_a_stale_version_is_a_conflict(squad):
    plan = start_plan(squad["athlete"], phase_order=2)
    response = client_for(squad["coach"]).post(
        f"/api/v1/plans/{plan.pk}/regress/",
        {"to_phase": 1, "reason": "x", "expected_version": plan.version + 5},
    )
    assert response.status_code == 409


def test_athletes_and_outsiders_cannot_move_plans(squad):
    plan = start_plan(squad["athlete"], phase_order=2)
    assert (
        client_for(squad["athlete"].user)
        .post(f"/api/v1/plans/{plan.pk}/advance/", {"override": True, "reason": "me"})
        .status_code
        == 403
    )
    assert (
        client_for(squad["outsider"])
        .post(f"/api/v1/plans/{plan.pk}/regress/", {"to_phase": 1, "reason": "x"})
        .status_code
        == 404
    )
    assert (
        client_for(squad["clinician"])
        .post(f"/api/v1/plans/{plan.pk}/advance/", {"override": True, "reason": "x"})
        .status_code
        == 403
    )
    plan.refresh_from_db()
    assert plan.current_phase.order == 2
