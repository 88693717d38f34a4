"""One access module decides who sees which athlete: owner, teammate, outsider."""

import pytest
from django.http import Http404
from django.urls import reverse

from athletes.access import get_athlete_for, role_for_athlete, visible_athletes
from athletes.models import Role
from tests.factories import AthleteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def squad(world):
    """The world by the names these tests use, and an athlete of the team with no login."""
    return {
        "team": world.team,
        "me": world.athlete,
        "teammate": world.teammate,
        "no_login": AthleteFactory(team=world.team),
        "outsider": world.outsider,
        "coach": world.coach,
        "clinician": world.clinician,
        "other_coach": world.outsider_coach,
    }


def test_coach_and_clinician_see_every_athlete_of_their_team_only(squad):
    for who in ("coach", "clinician"):
        visible = set(visible_athletes(squad[who]))
        assert visible == {squad["me"], squad["teammate"], squad["no_login"]}


def test_athlete_sees_only_their_own_record(squad):
    user = squad["me"].user
    assert list(visible_athletes(user)) == [squad["me"]]
    assert get_athlete_for(user, squad["me"].pk) == squad["me"]
    for other in ("teammate", "no_login", "outsider"):
        with pytest.raises(Http404):
            get_athlete_for(user, squad[other].pk)


def test_outsider_coach_gets_404_for_another_teams_athlete(squad):
    with pytest.raises(Http404):
        get_athlete_for(squad["other_coach"], squad["me"].pk)
    assert squad["me"] not in visible_athletes(squad["other_coach"])


def test_a_user_in_no_team_and_an_anonymous_user_see_nobody(squad):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_athletes(UserFactory()).exists()
    assert not visible_athletes(AnonymousUser()).exists()


def test_role_for_athlete(squad):
    me = squad["me"]
    assert role_for_athlete(me.user, me) == Role.ATHLETE
    assert role_for_athlete(squad["coach"], me) == Role.COACH
    assert role_for_athlete(squad["clinician"], me) == Role.CLINICIAN
    assert role_for_athlete(squad["teammate"].user, me) is None
    assert role_for_athlete(squad["other_coach"], me) is None


@pytest.mark.parametrize(
    "who, status", [("me", 200), ("coach", 200), ("teammate", 404), ("other_coach", 404)]
)
def test_athlete_page_is_scoped(client, squad, who, status):
    user = squad[who] if who.endswith("coach") else squad[who].user
    client.force_login(user)
    assert client.get(reverse("athletes:detail", args=[squad["me"].pk])).status_code == status


def test_pages_need_a_login(client, squad):
    response = client.get(reverse("athletes:detail", args=[squad["me"].pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("home")).status_code == 302
