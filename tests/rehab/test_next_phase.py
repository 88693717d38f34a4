"""The next phase has one definition (Plan.next_phase): the protocol's next phase by order.
A team's protocol may skip an order (a phase removed from its copy); the roster and the coach's
page used to look for order + 1 and offered no advance where the service would advance."""

import pytest
from django.urls import reverse

from athletes.models import Role
from rehab.models import Phase
from rehab.plan_summary import athlete_plan_summary
from rehab.selectors import ADVANCE, roster
from rehab.services import advance_phase, assign_protocol, copy_protocol
from tests import factories as make

pytestmark = pytest.mark.django_db


def test_every_reader_and_the_advance_agree_on_the_next_phase_when_an_order_is_skipped(client):
    team = make.TeamFactory()
    coach = make.staff(team, Role.COACH)
    athlete = make.athlete_with_login(team)
    protocol = copy_protocol(make.template(), team=team, by=coach)
    protocol.phases.filter(order=1).delete()
    first = protocol.phases.get(order=0)
    first.gates.all().delete()  # no gates: every gate is met
    plan = assign_protocol(make.InjuryFactory(athlete=athlete), protocol, by=coach)
    expected = Phase.objects.get(protocol=protocol, order=2)

    assert plan.next_phase() == plan.next_phase(list(protocol.phases.all())) == expected
    (row,) = roster(coach)
    assert (row.next_phase, row.action) == (expected, ADVANCE)
    assert athlete_plan_summary(athlete).next_phase == expected
    client.force_login(coach)
    assert client.get(reverse("coach:athlete", args=[athlete.pk])).context["next_phase"] == expected

    assert advance_phase(plan, by=coach).phase_change.to_phase == expected
