"""The check-in POST as phones send it (a token, an Idempotency-Key): what it may touch and
what it costs."""

import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from athletes.models import Role
from monitoring.models import CheckIn, EvaluationRequest
from tests.factories import TeamFactory, athlete_with_login, staff

pytestmark = pytest.mark.django_db


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
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
    assert len(selects) == 1 and "authtoken_token" in selects[0]
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


def test_load_token_builds_the_same_objects_the_orm_would():
    from config.authentication import load_token

    athlete = athlete_with_login(TeamFactory())
    token = Token.objects.create(user=athlete.user)
    loaded_token, user, own = load_token(token.key)
    orm = Token.objects.select_related("user", "user__athlete_profile").get(key=token.key)
    assert loaded_token.key == orm.key and loaded_token.created == orm.created
    assert user.pk == orm.user.pk and user.date_joined == orm.user.date_joined
    assert user.is_active is True and user.is_superuser is False  # booleans, also on SQLite
    assert own == orm.user.athlete_profile and own.date_of_birth == athlete.date_of_birth
    assert user.athlete_profile is own and own.user is user  # cached: no query to follow
    coach = staff(athlete.team, Role.COACH)
    _, coach_user, none = load_token(Token.objects.create(user=coach).key)
    assert coach_user == coach and none is None
    assert load_token("not-a-token") is None
