"""The check-in POST as phones send it (a token, an Idempotency-Key): what it may touch and
what it costs."""

import uuid

import pytest
from rest_framework.test import APIClient

from athletes.models import ApiToken, EvaluationRequest, Role
from athletes.tokens import issue_token
from monitoring.models import CheckIn
from tests.factories import TeamFactory, athlete_with_login, staff

pytestmark = pytest.mark.django_db


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)[1]}")
    return client


def post(client, athlete, **headers):
    body = {"athlete": athlete.pk, "pain_rest": 1, "pain_activity": 3, "pain_morning": 2}
    return client.post("/api/v1/checkins/", body, format="json", **headers)


def test_an_athlete_posting_their_own_checkin_costs_one_query_for_token_and_athlete(
    django_assert_max_num_queries,
):
    athlete = athlete_with_login(TeamFactory())
    client = token_client(athlete.user)
    # Token with user and athlete (one query); the check-in in a savepoint (its evaluation
    # request is the database trigger's); the idempotency record; the transaction (savepoints
    # here: the test runs in one).
    with django_assert_max_num_queries(7) as queries:
        response = post(client, athlete, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 201, response.content
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1 and "athletes_apitoken" in selects[0]
    assert CheckIn.objects.get().athlete == athlete
    assert EvaluationRequest.objects.filter(athlete=athlete).count() == 1


def test_an_athlete_token_cannot_post_for_a_teammate_and_stores_nothing():
    team = TeamFactory()
    athlete, teammate = athlete_with_login(team), athlete_with_login(team)
    response = post(token_client(athlete.user), teammate)
    assert response.status_code == 400 and "athlete" in response.json()
    assert not CheckIn.objects.exists() and not EvaluationRequest.objects.exists()


def test_a_coach_token_posts_for_their_teams_athletes_only():
    team = TeamFactory()
    coach = staff(team, Role.COACH)
    athlete, outsider = athlete_with_login(team), athlete_with_login(TeamFactory())
    client = token_client(coach)
    assert post(client, athlete).status_code == 201
    refused = post(client, outsider)
    assert refused.status_code == 400 and "athlete" in refused.json()
    assert list(CheckIn.objects.values_list("athlete", flat=True)) == [athlete.pk]


def test_a_token_of_an_inactive_user_is_refused():
    athlete = athlete_with_login(TeamFactory())
    client = token_client(athlete.user)
    athlete.user.is_active = False
    athlete.user.save()
    assert post(client, athlete).status_code == 401
    assert not CheckIn.objects.exists()


def test_a_day_that_already_has_a_checkin_is_a_409_and_adds_no_evaluation_request():
    athlete = athlete_with_login(TeamFactory())
    client = token_client(athlete.user)
    first = post(client, athlete, HTTP_IDEMPOTENCY_KEY="one")
    second = post(client, athlete, HTTP_IDEMPOTENCY_KEY="two")
    assert second.status_code == 409 and second.json()["existing"] == first.json()["id"]
    assert EvaluationRequest.objects.count() == 1


def test_a_token_is_found_with_its_user_and_own_athlete_in_one_query(
    django_assert_num_queries,
):
    from athletes.access import own_athlete_if_loaded
    from athletes.authentication import TokenAuthentication

    athlete = athlete_with_login(TeamFactory())
    token, plain = issue_token(athlete.user, name="Maya's phone")
    with django_assert_num_queries(1):
        found = TokenAuthentication.matching_token(plain)
        assert found == token and found.user == athlete.user
        assert own_athlete_if_loaded(found.user) == athlete
    coach = staff(athlete.team, Role.COACH)
    coach_plain = issue_token(coach)[1]
    with django_assert_num_queries(1):
        found = TokenAuthentication.matching_token(coach_plain)
        assert found.user == coach and own_athlete_if_loaded(found.user) is None
    # Same token_key (the first 15 characters), another digest.
    other = plain[:-1] + ("0" if plain[-1] != "0" else "1")
    assert TokenAuthentication.matching_token(other) is None


def test_a_token_that_is_not_ours_is_refused_without_a_query(django_assert_num_queries):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    with django_assert_num_queries(0):
        assert client.get("/api/v1/athletes/").status_code == 401
    assert ApiToken.objects.count() == 0
