import pytest

from athletes.models import Role
from tests.factories import TeamFactory, UserFactory, athlete_with_login, staff, start_plan


@pytest.fixture
def squad(db):
    """The owner, a teammate, an athlete of another team, staff of both teams, a user in no team."""
    team, other_team = TeamFactory(), TeamFactory()
    me = athlete_with_login(team, first_name="Maya", last_name="Okafor")
    start_plan(me, phase_order=3, entered_days_ago=5)
    return {
        "me": me,
        "teammate": athlete_with_login(team),
        "outsider": athlete_with_login(other_team),
        "coach": staff(team, Role.COACH),
        "clinician": staff(team, Role.CLINICIAN),
        "other_coach": staff(other_team, Role.COACH),
        "nobody": UserFactory(),
    }


@pytest.fixture
def me_client(client, squad):
    client.force_login(squad["me"].user)
    return client


def pains(rest=1, activity=2, morning=0, **extra):
    return {"pain_rest": rest, "pain_activity": activity, "pain_morning": morning, **extra}
