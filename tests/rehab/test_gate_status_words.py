"""A gate's verdict reads the same everywhere: "Met", "Not met", "Missing evidence" (PRODUCT.md
§2.3; rehab.gates.GateStatus). My plan used to say "Not yet" where the coach read "Not met"."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from athletes.models import Role
from rehab.gates import GateStatus, evaluate_plan
from rehab.services import advance_phase
from tests import factories as make

pytestmark = pytest.mark.django_db


def words(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_met_not_met_and_missing_evidence_read_the_same_on_every_page_and_in_the_api_error(
    client,
):
    team = make.TeamFactory()
    coach = make.staff(team, Role.COACH)
    athlete = make.athlete_with_login(team)
    # Phase 0: palpation passed (met), day 3 of at least 5 (not met), no sessions (missing).
    plan = make.start_plan(athlete, 0, entered_days_ago=2)
    make.MeasurementFactory(athlete=athlete, metric=make.metric("palpation"), value=1)
    statuses = {g["kind"]: g["status"] for g in evaluate_plan(plan)["gates"]}
    assert statuses == {
        "test_passed": GateStatus.MET,
        "min_days": GateStatus.NOT_MET,
        "pain": GateStatus.MISSING,
    }

    client.force_login(athlete.user)
    my_plan = words(client.get(reverse("me:plan")))
    client.force_login(coach)
    coach_page = words(client.get(reverse("coach:athlete", args=[athlete.pk])))
    for page in (my_plan, coach_page):
        assert re.search(r"\bMet\b", page) and "Not met" in page and "Missing evidence" in page
        assert "Not yet" not in page

    with pytest.raises(ValidationError) as error:
        advance_phase(plan, by=coach)
    message = error.value.message_dict["override"][0]
    assert "at least 5 days in this phase: not met" in message.lower()
    assert "missing evidence" in message
