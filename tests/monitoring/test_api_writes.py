import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.models import Athlete, Role
from athletes.tokens import issue_token
from monitoring.models import CheckIn, Measurement
from tests.concurrency import race
from tests.factories import FlagFactory, TeamFactory, athlete_with_login, staff

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client_for(key):
    """A client as an integration or a phone is: by token (the token lookup, the user's own
    athlete loaded with it), not force_authenticate."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def checkin_body(athlete, **extra):
    return {"athlete": athlete.pk, "pain_rest": 1, "pain_activity": 3, "pain_morning": 2, **extra}


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"pain_rest": 11}, "pain_rest"),
        ({"pain_activity": -1}, "pain_activity"),
        ({"pain_morning": "abc"}, "pain_morning"),
        ({"confidence": 12}, "confidence"),
        ({"sleep_hours": 30}, "sleep_hours"),
        ({"taken_at": "2999-01-01T08:00:00Z"}, "taken_at"),
        ({"taken_at": "yesterday-ish"}, "taken_at"),
        ({"athlete": 999999}, "athlete"),
        ({"athlete": "me"}, "athlete"),
    ],
)
def test_bad_checkins_get_a_field_error_and_store_nothing(team, extra, field):
    athlete = athlete_with_login(team)
    body = {**checkin_body(athlete), **extra}
    response = client_for(athlete.user).post("/api/v1/checkins/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert CheckIn.objects.count() == 0


def test_a_checkin_defaults_to_now_and_a_second_one_that_day_is_a_409(team):
    athlete = athlete_with_login(team)
    client = client_for(athlete.user)
    first = client.post("/api/v1/checkins/", checkin_body(athlete), format="json")
    assert first.status_code == 201
    assert first.json()["local_date"] == timezone.localdate().isoformat()
    second = client.post("/api/v1/checkins/", checkin_body(athlete), format="json")
    assert second.status_code == 409 and second.json()["existing"] == first.json()["id"]
    assert CheckIn.objects.count() == 1


def test_the_same_idempotency_key_returns_the_first_response(team):
    athlete = athlete_with_login(team)
    client = client_for(athlete.user)
    key = str(uuid.uuid4())
    first = client.post(
        "/api/v1/checkins/", checkin_body(athlete), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    again = client.post(
        "/api/v1/checkins/", checkin_body(athlete), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CheckIn.objects.count() == 1
    other_body = client.post(
        "/api/v1/checkins/",
        checkin_body(athlete, pain_rest=5),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert other_body.status_code == 422


def test_a_failed_request_does_not_burn_its_idempotency_key(team):
    athlete = athlete_with_login(team)
    client = client_for(athlete.user)
    key = "retry-me"
    bad = client.post(
        "/api/v1/checkins/",
        checkin_body(athlete, pain_rest=11),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert bad.status_code == 400
    good = client.post(
        "/api/v1/checkins/", checkin_body(athlete), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert good.status_code == 201


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_posts_with_one_key_create_one_checkin():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    athlete = athlete_with_login(TeamFactory())
    token = issue_token(athlete.user)[1]
    key = str(uuid.uuid4())
    responses = race(
        lambda: token_client_for(token).post(
            "/api/v1/checkins/", checkin_body(athlete), format="json", HTTP_IDEMPOTENCY_KEY=key
        ),
        count=20,
    )
    statuses = [response.status_code for response in responses]
    ids = [response.json().get("id") for response in responses]
    assert CheckIn.objects.filter(athlete=athlete).count() == 1
    assert statuses == [201] * 20
    assert set(ids) == {CheckIn.objects.get().pk}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_measurement_posts_with_one_key_create_one_measurement():
    """Nothing unique in a measurement: only the key's record stops the twins, each of which
    has already inserted its measurement and must roll it back."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    team = TeamFactory()
    coach, athlete = staff(team, Role.COACH), athlete_with_login(team)
    body = {"athlete": athlete.pk, "metric": "split_30m", "value": 4.31}
    key, token = str(uuid.uuid4()), issue_token(coach)[1]
    responses = race(
        lambda: token_client_for(token).post(
            "/api/v1/measurements/", body, format="json", HTTP_IDEMPOTENCY_KEY=key
        ),
        count=10,
    )
    assert [r.status_code for r in responses] == [201] * 10, [r.content for r in responses]
    assert Measurement.objects.filter(athlete=athlete).count() == 1
    assert {r.json()["id"] for r in responses} == {Measurement.objects.get().pk}
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == 9


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_checkins_for_one_day_with_different_keys_store_one_and_409_the_rest():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    athlete = athlete_with_login(TeamFactory())
    token = issue_token(athlete.user)[1]
    responses = race(
        lambda: token_client_for(token).post(
            "/api/v1/checkins/",
            checkin_body(athlete),
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        ),
        count=10,
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    stored = CheckIn.objects.get(athlete=athlete)
    assert {r.json().get("existing") for r in responses if r.status_code == 409} == {stored.pk}


def test_bulk_measurements_are_all_or_nothing(team):
    coach = staff(team, Role.COACH)
    athlete = athlete_with_login(team)
    outsider = athlete_with_login(TeamFactory())
    client = client_for(coach)
    now = timezone.now()
    rows = [
        {
            "athlete": athlete.pk,
            "metric": "split_30m",
            "value": 4.2,
            "measured_at": now.isoformat(),
        },
        {"athlete": athlete.pk, "metric": "no_such_metric", "value": 1},
        {"athlete": outsider.pk, "metric": "split_30m", "value": 4.0},
        {"athlete": athlete.pk, "metric": "split_10m", "value": "fast"},
    ]
    response = client.post("/api/v1/measurements/bulk/", {"measurements": rows}, format="json")
    assert response.status_code == 400
    errors = response.json()["measurements"]  # keyed by row index, bad rows only
    assert set(errors) == {"1", "2", "3"}
    assert "metric" in errors["1"] and "athlete" in errors["2"] and "value" in errors["3"]
    assert Measurement.objects.count() == 0
    ok = client.post(
        "/api/v1/measurements/bulk/",
        {
            "measurements": [
                rows[0],
                {
                    "athlete": athlete.pk,
                    "metric": "single_leg_hop",
                    "value": 180,
                    "side": "left",
                    "measured_at": (now - dt.timedelta(days=1)).isoformat(),
                },
            ]
        },
        format="json",
    )
    assert ok.status_code == 201 and len(ok.json()) == 2
    assert set(Measurement.objects.values_list("source", flat=True)) == {"api"}


def test_coach_creates_an_athlete_in_their_team_only(team):
    coach = staff(team, Role.COACH)
    client = client_for(coach)
    body = {"first_name": "New", "last_name": "Runner", "team": team.pk}
    assert client.post("/api/v1/athletes/", body).status_code == 201
    other = TeamFactory()
    response = client.post("/api/v1/athletes/", {**body, "team": other.pk})
    assert response.status_code == 400 and "team" in response.json()
    assert not Athlete.objects.filter(team=other).exists()
    clinician = staff(team, Role.CLINICIAN)
    assert client_for(clinician).post("/api/v1/athletes/", body).status_code == 403


def test_injury_muscle_must_belong_to_its_group(team):
    coach = staff(team, Role.COACH)
    athlete = athlete_with_login(team)
    body = {
        "athlete": athlete.pk,
        "muscle_group": "calf",
        "muscle": "bf_lh",
        "side": "left",
        "grade": 2,
        "occurred_on": "2026-11-01",
        "mechanism": "high_speed_running",
    }
    response = client_for(coach).post("/api/v1/injuries/", body)
    assert response.status_code == 400 and "muscle" in response.json()
    assert (
        client_for(coach).post("/api/v1/injuries/", {**body, "muscle": "soleus"}).status_code == 201
    )
    assert client_for(coach).post("/api/v1/injuries/", {**body, "grade": 7}).status_code == 400


def test_flags_are_acknowledged_and_resolved_through_the_api(team):
    coach = staff(team, Role.COACH)
    flag = FlagFactory(athlete=athlete_with_login(team))
    client = client_for(coach)
    response = client.post(f"/api/v1/flags/{flag.pk}/acknowledge/", {"note": "seen"})
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    assert client.post(f"/api/v1/flags/{flag.pk}/acknowledge/").status_code == 409
    assert client.post(f"/api/v1/flags/{flag.pk}/resolve/", {"note": ""}).status_code == 400
    done = client.post(f"/api/v1/flags/{flag.pk}/resolve/", {"note": "Regressed to phase 1."})
    assert done.json()["status"] == "resolved"
    listed = client.get("/api/v1/flags/", {"status": "resolved"}).json()["results"]
    assert [row["id"] for row in listed] == [flag.pk]


def test_token_auth_and_its_throttle(team, settings):
    coach = staff(team, Role.COACH, username="tokencoach")
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "tokencoach", "password": "sprintback"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/athletes/").status_code == 200
    assert coach.auth_token_set.get().name == "Unnamed device"
    bad = APIClient()
    statuses = [
        bad.post("/api/v1/auth/token/", {"username": "tokencoach", "password": "x"}).status_code
        for _ in range(12)
    ]
    assert 400 in statuses and statuses[-1] == 429


def test_schema_and_local_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/checkins/",
        "/api/v1/flags/{id}/resolve/",
        "/api/v1/auth/token/",
        "/api/v1/plans/",
        "/api/v1/measurements/bulk/",
    ):
        assert path in spec["paths"]
    post = spec["paths"]["/api/v1/checkins/"]["post"]
    assert {"400", "401", "403", "404", "409", "422", "429"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs and "cdn" not in docs.lower()


def test_unusual_but_valid_utc_offsets_are_normalised_not_500(team):
    athlete = athlete_with_login(team)
    client = client_for(athlete.user)
    response = client.get("/api/v1/checkins/", {"until": "2057-05-15T04:50:22-20:50"})
    assert response.status_code == 200
    taken = (timezone.now() - dt.timedelta(days=2)).astimezone(dt.timezone(dt.timedelta(hours=-20)))
    created = client.post(
        "/api/v1/checkins/", checkin_body(athlete, taken_at=taken.isoformat()), format="json"
    )
    assert created.status_code == 201


def test_api_404s_are_json_even_for_ids_the_router_cannot_match(team, settings):
    client = client_for(staff(team))
    for path in ("/api/v1/flags/0.5/", "/api/v1/nothing-here/", "/api/v1/athletes/999999/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json"), path
