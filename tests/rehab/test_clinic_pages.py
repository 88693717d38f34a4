"""The clinician pages: queue, decision page, report — who may see them, and what they do."""

import pytest
from django.utils import timezone

from athletes.models import AuditEvent
from monitoring.models import FlagStatus
from rehab.models import SignOffDecision, SignOffRequest
from rehab.signoff import decide_signoff, request_signoff
from tests.factories import FlagFactory
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db


@pytest.fixture
def c():
    c = clinic()
    c.request = request_signoff(c.plan, by=c.coach, note="All gates met for a week.")
    return c


def test_home_sends_clinicians_to_the_queue_and_coaches_to_the_roster(client, c):
    client.force_login(c.clinician)
    assert client.get("/").url == "/clinic/"
    client.force_login(c.coach)
    assert client.get("/").url == "/coach/"


def test_the_queue_lists_pending_requests_flags_and_proposed_regressions(client, c):
    flag = FlagFactory(
        athlete=c.athlete,
        summary="Pain above threshold for 52 h",
        proposed_regression_to=c.plan.protocol.phases.get(order=4),
    )
    client.force_login(c.clinician)
    page = client.get("/clinic/").content.decode()
    assert f"/clinic/requests/{c.request.pk}/" in page
    assert "Pain above threshold for 52 h" in page
    assert "proposed phase 4" in page
    assert flag.athlete.full_name in page


def test_the_queue_shows_nothing_of_other_teams(client, c):
    client.force_login(c.outsider)
    page = client.get("/clinic/").content.decode()
    assert c.athlete.full_name not in page


@pytest.mark.parametrize("who, status", [("coach", 403), ("athlete", 403), ("outsider", 404)])
def test_only_a_clinician_of_the_team_opens_the_decision_page(client, c, who, status):
    user = c.athlete.user if who == "athlete" else getattr(c, who)
    client.force_login(user)
    url = f"/clinic/requests/{c.request.pk}/"
    assert client.get(url).status_code == status
    response = client.post(url, {"decision": "approve", "rationale": "ok"})
    assert response.status_code == status
    assert not SignOffDecision.objects.exists()


def test_the_queue_is_for_clinicians(client, c):
    client.force_login(c.coach)
    assert client.get("/clinic/").status_code == 403
    client.logout()
    assert client.get("/clinic/").status_code == 302


def test_the_decision_page_shows_the_evidence_and_preselects_nothing(client, c):
    client.force_login(c.clinician)
    page = client.get(f"/clinic/requests/{c.request.pk}/").content.decode()
    assert "All gates met for a week." in page
    assert "Pain, last 4 weeks" in page and "Metrics against baseline" in page
    assert 'value="approve"' in page and "checked" not in page


def test_approving_from_the_page_moves_the_plan_and_records_the_decision(client, c):
    client.force_login(c.clinician)
    response = client.post(
        f"/clinic/requests/{c.request.pk}/",
        {"decision": "approve", "rationale": "Gates met.", "restrictions": "No spikes 7 days"},
    )
    assert response.status_code == 302
    c.plan.refresh_from_db()
    assert c.plan.current_phase.order == 6
    page = client.get(response.url).content.decode()
    assert "Return to play approved by Priya Nair" in page
    assert "No spikes 7 days" in page


def test_a_decision_without_choice_or_rationale_is_refused_at_the_field(client, c):
    client.force_login(c.clinician)
    response = client.post(f"/clinic/requests/{c.request.pk}/", {"decision": "", "rationale": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose approve or decline." in page and "Give the rationale" in page
    assert not SignOffDecision.objects.exists()


def test_approval_is_refused_on_the_page_while_a_flag_is_open_until_resolved_there(client, c):
    flag = FlagFactory(athlete=c.athlete, opened_at=timezone.now())
    client.force_login(c.clinician)
    url = f"/clinic/requests/{c.request.pk}/"
    response = client.post(url, {"decision": "approve", "rationale": "ok"})
    assert response.status_code == 400
    assert "Resolve the open flags before approving" in response.content.decode()
    response = client.post(
        f"{url}flags/{flag.pk}/resolve/", {"note": "Assessed: cramp."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="decision-panel"' in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED
    assert client.post(url, {"decision": "approve", "rationale": "ok"}).status_code == 302


def test_a_second_decision_needs_the_new_decision_path_and_both_stay_visible(client, c):
    client.force_login(c.clinician)
    url = f"/clinic/requests/{c.request.pk}/"
    client.post(url, {"decision": "decline", "rationale": "Hop LSI borderline."})
    response = client.post(url, {"decision": "approve", "rationale": "Re-test passed."})
    assert response.status_code == 400 and "already been decided" in response.content.decode()
    response = client.post(
        url, {"decision": "approve", "rationale": "Re-test passed.", "supersede": "True"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Hop LSI borderline." in page and "Re-test passed." in page
    assert "superseded" in page


def test_the_clinician_can_regress_from_the_decision_page(client, c):
    client.force_login(c.clinician)
    phase_3 = c.plan.protocol.phases.get(order=3)
    response = client.post(
        f"/clinic/requests/{c.request.pk}/regress/",
        {"to_phase": phase_3.pk, "reason": "Palpation painful today."},
    )
    assert response.status_code == 302
    c.plan.refresh_from_db()
    c.request.refresh_from_db()
    assert c.plan.current_phase.order == 3
    assert c.request.status == SignOffRequest.Status.WITHDRAWN


def test_the_report_opens_for_the_teams_staff_only(client, c):
    decide_signoff(c.request, by=c.clinician, decision="approve", rationale="Gates met.")
    url = f"/clinic/requests/{c.request.pk}/report/"
    for user in (c.clinician, c.coach):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "Return to play approved by Priya Nair" in page
        for word in ("safe to play", "healthy", "no risk", "cleared"):
            assert word not in page.lower()
    client.force_login(c.outsider)
    assert client.get(url).status_code == 404
    client.force_login(c.athlete.user)
    assert client.get(url).status_code == 404


def test_hostile_ids_and_input_never_give_a_500(client, c):
    client.force_login(c.clinician)
    for url in (
        "/clinic/requests/99999999/",
        "/clinic/requests/99999999/report/",
        f"/clinic/requests/{c.request.pk}/flags/99999999/resolve/",
    ):
        assert client.post(url, {"note": "x"}).status_code in (404, 405)
    response = client.post(
        f"/clinic/requests/{c.request.pk}/",
        {"decision": "approve" * 100, "rationale": "x" * 5000, "supersede": "maybe"},
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="signoff.approve").exists()


def test_the_queue_and_decision_page_read_a_fixed_number_of_queries(
    client, c, django_assert_max_num_queries
):
    from tests.factories import AthleteFactory, start_plan

    client.force_login(c.clinician)
    with django_assert_max_num_queries(40) as small:
        client.get("/clinic/")
    for _ in range(6):
        athlete = AthleteFactory(team=c.team)
        plan = start_plan(athlete, 5)
        request_signoff(plan, by=c.coach)
        FlagFactory(athlete=athlete, proposed_regression_to=plan.protocol.phases.get(order=4))
    with django_assert_max_num_queries(40) as large:
        page = client.get("/clinic/").content.decode()
    assert page.count("Review evidence") == 7
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(40):
        assert client.get(f"/clinic/requests/{c.request.pk}/").status_code == 200
