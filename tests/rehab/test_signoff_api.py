"""POST /api/v1/signoffs/ (coaches request) and POST /api/v1/signoffs/{id}/decide/ (clinicians)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.models import AuditEvent
from rehab.models import SignOffDecision, SignOffRequest
from rehab.signoff import request_signoff
from tests.factories import FlagFactory
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_coach_requests_sign_off_through_the_api():
    c = clinic()
    response = api(c.coach).post(
        "/api/v1/signoffs/", {"plan": c.plan.pk, "note": "ready"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "return_to_play" and body["status"] == "pending"
    assert body["evidence"]["gates"]["all_met"] is True and body["decisions"] == []
    again = api(c.coach).post("/api/v1/signoffs/", {"plan": c.plan.pk}, format="json")
    assert again.status_code == 409


def test_requesting_for_another_teams_plan_looks_like_a_missing_plan():
    c, other = clinic(), clinic()
    response = api(other.coach).post("/api/v1/signoffs/", {"plan": c.plan.pk}, format="json")
    assert response.status_code == 400 and "plan" in response.json()
    assert not SignOffRequest.objects.exists()


@pytest.mark.parametrize("who, status", [("clinician", 403), ("athlete", 403)])
def test_only_coaches_request_sign_off(who, status):
    c = clinic()
    user = c.athlete.user if who == "athlete" else c.clinician
    response = api(user).post("/api/v1/signoffs/", {"plan": c.plan.pk}, format="json")
    assert response.status_code == status


def test_a_clinician_decides_through_the_api():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    response = api(c.clinician).post(
        f"/api/v1/signoffs/{request.pk}/decide/",
        {"decision": "approve", "rationale": "Gates met.", "restrictions": "No spikes."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved"
    assert body["decisions"][0]["decided_by_name"] == "Priya Nair"
    c.plan.refresh_from_db()
    assert c.plan.current_phase.order == 6
    again = api(c.clinician).post(
        f"/api/v1/signoffs/{request.pk}/decide/",
        {"decision": "decline", "rationale": "Changed my mind."},
        format="json",
    )
    assert again.status_code == 409
    superseding = api(c.clinician).post(
        f"/api/v1/signoffs/{request.pk}/decide/",
        {"decision": "decline", "rationale": "New finding.", "supersede": True},
        format="json",
    )
    assert superseding.status_code == 200
    assert len(superseding.json()["decisions"]) == 2


@pytest.mark.parametrize("who, status", [("coach", 403), ("athlete", 403), ("outsider", 404)])
def test_only_a_clinician_of_the_team_decides_through_the_api(who, status):
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    user = c.athlete.user if who == "athlete" else getattr(c, who)
    response = api(user).post(
        f"/api/v1/signoffs/{request.pk}/decide/",
        {"decision": "approve", "rationale": "ok"},
        format="json",
    )
    assert response.status_code == status
    assert not SignOffDecision.objects.exists()


def test_approval_with_an_open_flag_is_refused_through_the_api():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    FlagFactory(athlete=c.athlete, opened_at=timezone.now())
    response = api(c.clinician).post(
        f"/api/v1/signoffs/{request.pk}/decide/",
        {"decision": "approve", "rationale": "ok"},
        format="json",
    )
    assert response.status_code == 400 and "decision" in response.json()
    assert not SignOffDecision.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"decision": "approve"}, {"decision": "yes", "rationale": "x"}, {"rationale": "x"}],
)
def test_bad_decision_bodies_get_field_errors(body):
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    response = api(c.clinician).post(f"/api/v1/signoffs/{request.pk}/decide/", body, format="json")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action__in=["signoff.approve", "signoff.decline"]).exists()


def test_decisions_cannot_be_changed_or_deleted_through_the_api():
    c = clinic()
    request = request_signoff(c.plan, by=c.coach)
    client = api(c.clinician)
    client.post(
        f"/api/v1/signoffs/{request.pk}/decide/",
        {"decision": "decline", "rationale": "Not yet."},
        format="json",
    )
    url = f"/api/v1/signoffs/{request.pk}/"
    assert client.put(url, {"status": "approved"}, format="json").status_code == 405
    assert client.patch(url, {"status": "approved"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert SignOffDecision.objects.get().rationale == "Not yet."
