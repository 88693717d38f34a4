import pytest
from django.urls import reverse

from athletes.models import Role
from tests.factories import TeamFactory, athlete_with_login, staff, start_plan

pytestmark = pytest.mark.django_db


def test_login_page_and_login_with_demo_style_credentials(client):
    team = TeamFactory()
    coach = staff(team, Role.COACH, username="headcoach")
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "headcoach", "password": "sprintback"})
    assert response.status_code == 302
    assert client.get(reverse("home"), follow=True).context["user"] == coach


def test_wrong_password_shows_an_error_and_no_session(client):
    staff(TeamFactory(), username="headcoach")
    response = client.post(reverse("login"), {"username": "headcoach", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_coach_home_leads_to_a_roster_of_the_team_only(client):
    team, other = TeamFactory(), TeamFactory()
    mine = athlete_with_login(team, first_name="Mine")
    theirs = athlete_with_login(other, first_name="Theirs")
    start_plan(mine, phase_order=2)
    client.force_login(staff(team))
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain == [(reverse("coach:roster"), 302)]
    assert [row.athlete for row in response.context["rows"]] == [mine]
    assert b"Mine" in response.content and b"Theirs" not in response.content
    assert theirs  # exists, just not visible


def test_athlete_home_goes_to_their_phone_pages_which_show_their_plan(client):
    athlete = athlete_with_login(TeamFactory())
    start_plan(athlete, phase_order=3)
    client.force_login(athlete.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("me:today")
    response = client.get(reverse("me:plan"))
    assert response.status_code == 200
    assert b"Longer accelerations and fly-ins" in response.content
    assert "athletes" not in response.context
