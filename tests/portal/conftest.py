import pytest

from tests.factories import UserFactory, start_plan


@pytest.fixture
def squad(world):
    """The shared world by the names these tests use: the owner (Maya Okafor, in phase 3 for
    five days), a teammate, an athlete of another team, staff of both teams; and a user in
    no team."""
    me = world.athlete
    start_plan(me, phase_order=3, entered_days_ago=5)
    return {
        "me": me,
        "teammate": world.teammate,
        "outsider": world.outsider,
        "coach": world.coach,
        "clinician": world.clinician,
        "other_coach": world.outsider_coach,
        "nobody": UserFactory(),
    }


@pytest.fixture
def me_client(client, squad):
    client.force_login(squad["me"].user)
    return client


def pains(rest=1, activity=2, morning=0, **extra):
    return {"pain_rest": rest, "pain_activity": activity, "pain_morning": morning, **extra}
