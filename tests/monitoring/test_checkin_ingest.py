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
    # The write: token with user and athlete (one query); the check-in in a savepoint (its
    # evaluation request is the database trigger's); the idempotency record; the transaction
    # (savepoints here: the test runs in one). After it has committed, the athlete's feedback
    # (rehab.checkin_feedback) reads the athlete, pain, streak, plan and flags: 5 more without
    # a plan (tests/portal/test_checkin_feedback.py bounds them with one).
    with django_assert_max_num_queries(12) as queries:
        response = post(client, athlete, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 201, response.content
    sqls = [q["sql"] for q in queries.captured_queries]
    committed = next(i for i, sql in enumerate(sqls) if sql.startswith("RELEASE SAVEPOINT"))
    write = sqls[: committed + 1]
    assert len(write) <= 7
    selects = [sql for sql in write if sql.startswith("SELECT")]
    assert len(selects) == 1 and "athletes_apitoken" in selects[0]
    assert all(sql.startswith("SELECT") for sql in sqls[committed + 1 :])
    assert response.json()["feedback"]["streak"]["days"] == 1
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
    from athletes.authentication import load_token

    def values(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    athlete = athlete_with_login(TeamFactory(), date_of_birth="2006-03-14", events="100 m")
    token, plain = issue_token(athlete.user, name="Maya's phone")
    loaded_token, user, own = load_token(plain)
    orm = ApiToken.objects.select_related("user", "user__athlete_profile").get(pk=token.pk)
    # Every column of all three, with the same Python types (dates, booleans and datetimes
    # arrive as text and integers on SQLite and need the ORM's converters).
    for mine, theirs in ((loaded_token, orm), (user, orm.user), (own, orm.user.athlete_profile)):
        assert values(mine) == values(theirs)
        assert {k: type(v) for k, v in values(mine).items()} == {
            k: type(v) for k, v in values(theirs).items()
        }
        assert not mine._state.adding and mine._state.db == theirs._state.db
    assert user.athlete_profile is own and own.user is user  # cached: no query to follow
    coach = staff(athlete.team, Role.COACH)
    _, coach_user, none = load_token(issue_token(coach)[1])
    assert values(coach_user) == values(coach) and none is None
    assert load_token("not-a-token") is None
    assert load_token(plain[:-1] + ("0" if plain[-1] != "0" else "1")) is None  # same prefix


def test_a_token_that_is_not_ours_is_refused_without_a_query(django_assert_num_queries):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    with django_assert_num_queries(0):
        assert client.get("/api/v1/athletes/").status_code == 401
    assert ApiToken.objects.count() == 0
