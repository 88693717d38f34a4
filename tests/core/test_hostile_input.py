"""Hostile input answers 400 at the field and stores nothing, never 500.

The operations and their fields are read from the API's own OpenAPI schema, so a new
endpoint or field is covered without touching this file: every POST/PATCH body gets JSON
nested 1,000 deep; every integer property (ids, scores, minutes) gets 1e309, -1e309, 2^70,
"NaN" and true; every date-time and date property gets years 1, 1899, 2101 and 9999; every
integer or date-time query parameter of a list gets the same. Whatever a list returns as a
time must then be valid RFC 3339.
"""

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.parsers import JSONParser
from rest_framework.serializers import (
    DateField,
    DateTimeField,
    ModelSerializer,
    PrimaryKeyRelatedField,
    Serializer,
)
from rest_framework.test import APIClient

from core import serializers as api_serializers
from core.parsers import MAX_JSON_DEPTH, BoundedJSONParser
from monitoring.models import CheckIn, Flag, Measurement
from monitoring.sprints import record_sprint_trial
from rehab.models import SignOffRequest
from tests.factories import (
    CheckInFactory,
    FlagFactory,
    MeasurementFactory,
    SessionFactory,
    start_plan,
)

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = SCHEMA["components"]["schemas"]
WRITE_METHODS = ("post", "patch", "put")


def resolve(schema):
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def json_body_schema(operation):
    content = operation.get("requestBody", {}).get("content", {})
    return resolve(content["application/json"]["schema"]) if "application/json" in content else None


WRITE_OPERATIONS = [
    (method.upper(), path)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in WRITE_METHODS and json_body_schema(operation) is not None
]
LIST_OPERATIONS = [
    (path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method == "get" and "{" not in path
]


def properties(schema, prefix=()):
    """(path into the body, property schema) of every writable property, array items
    included: ("measurements", 0, "athlete") for a bulk row's athlete."""
    for name, prop in schema.get("properties", {}).items():
        prop = resolve(prop)
        if prop.get("readOnly"):
            continue
        if prop.get("type") == "array" and "properties" in resolve(prop.get("items", {})):
            yield from properties(resolve(prop["items"]), (*prefix, name, 0))
        else:
            yield (*prefix, name), prop


def fields_of(kind):
    """(method, path, field path) for every writable property of `kind` in a JSON body."""
    wanted = {
        "integer": lambda p: p.get("type") == "integer",
        "date-time": lambda p: p.get("format") == "date-time",
        "date": lambda p: p.get("format") == "date",
    }[kind]
    found = []
    for method, path in WRITE_OPERATIONS:
        body = json_body_schema(SCHEMA["paths"][path][method.lower()])
        found += [(method, path, where) for where, prop in properties(body) if wanted(prop)]
    return found


def field_id(case):
    method, path, where = case
    return f"{method} {path} {'.'.join(map(str, where))}"


def cases(kind):
    """parametrize's arguments: the fields of `kind`, each named like "POST /path field"."""
    found = fields_of(kind)
    return {"argvalues": found, "ids": [field_id(case) for case in found]}


# --- the world the requests act on ----------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_throttles():
    """The token endpoint allows 10 requests a minute per client: these tests send more."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(world):
    """The shared world's athlete (in phase 5, a pending sign-off, a row of every resource)
    and its team's coach and clinician."""
    me = world.athlete
    plan = start_plan(me, phase_order=5)
    signoff = SignOffRequest.objects.create(
        plan=plan,
        kind="return_to_play",
        target_phase=plan.protocol.phases.get(order=6),
        requested_at=timezone.now(),
    )
    ids = {
        "athletes": me.pk,
        "injuries": plan.injury_id,
        "plans": plan.pk,
        "protocols": plan.protocol_id,
        "checkins": CheckInFactory(athlete=me).pk,
        "sessions": SessionFactory(athlete=me).pk,
        "measurements": MeasurementFactory(athlete=me).pk,
        "flags": FlagFactory(athlete=me).pk,
        "signoffs": signoff.pk,
        "sprints": record_sprint_trial(
            me,
            by=world.coach,
            measured_at=None,
            # A poor fit: a trial of its own, and no derived measurements in the counts here.
            splits=[{"distance_m": 10, "time_s": 1.0}, {"distance_m": 30, "time_s": 9.0}],
            start="crouch",
        ).pk,
    }
    staff_members = [world.coach, world.clinician]
    return {"ids": ids, "staff": staff_members, "me": me}


def url_for(world, path):
    """The schema's path with {id} filled in by an object the staff can reach."""
    resource = path.split("/")[3]
    return path.replace("{id}", str(world["ids"].get(resource, 1)))


def send(world, method, path, body: str, *, anonymous=False):
    """Send `body` as raw JSON as the first person whose role may call the operation (coach,
    then clinician, then the athlete for athletes' own endpoints such as push subscriptions);
    an anonymous client for the token endpoint."""
    response = None
    users = (
        [None]
        if anonymous or path == "/api/v1/auth/token/"
        else [*world["staff"], world["me"].user]
    )
    for user in users:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        response = client.generic(
            method, url_for(world, path), body, content_type="application/json"
        )
        if response.status_code != 403:
            break
    return response


def snapshot():
    """How many rows every model holds: a refused request changes none of them."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def error_at(errors, where):
    """The messages a 400 gives at `where` (a row index is keyed as text in bulk errors)."""
    for step in where:
        if isinstance(step, int) and isinstance(errors, dict):
            step = str(step)
        errors = errors[step]
    return errors


def with_value(where, raw: str) -> str:
    """A JSON body holding only `raw` (JSON text, sent verbatim: 1e309 would be re-encoded
    as Infinity by json.dumps) at `where`."""
    body: object = "\0hostile\0"
    for step in reversed(where):
        body = [body] if isinstance(step, int) else {step: body}
    return json.dumps(body).replace('"\\u0000hostile\\u0000"', raw)


def test_the_schema_walk_finds_every_write_operation_and_field():
    """Guards the walk itself: if the schema stopped describing bodies, every test below
    would pass by testing nothing."""
    assert len(WRITE_OPERATIONS) >= 19
    assert ("POST", "/api/v1/auth/token/") in WRITE_OPERATIONS
    integer_fields = {field_id(case).split(" ", 1)[1] for case in fields_of("integer")}
    for expected in (
        "/api/v1/checkins/ athlete",
        "/api/v1/measurements/bulk/ measurements.0.athlete",
        "/api/v1/injuries/ athlete",
        "/api/v1/sessions/ duration_min",
        "/api/v1/athletes/ team",
        "/api/v1/plans/ injury",
        "/api/v1/plans/ protocol",
        "/api/v1/plans/{id}/regress/ to_phase",
        "/api/v1/signoffs/ plan",
    ):
        assert expected in integer_fields
    assert len(fields_of("date-time")) >= 4 and len(fields_of("date")) >= 4


# --- nesting and size ------------------------------------------------------------------------

NESTED = ["[" * 1000, "[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000]


@pytest.mark.parametrize(
    "method, path", WRITE_OPERATIONS, ids=[" ".join(o) for o in WRITE_OPERATIONS]
)
def test_json_nested_1000_deep_is_a_400_with_a_message_and_stores_nothing(world, method, path):
    before = snapshot()
    for body in NESTED:
        response = send(world, method, path, body)
        assert response.status_code == 400, (body[:10], response.content)
        assert f"deeper than {MAX_JSON_DEPTH} levels" in response.json()["detail"]
    assert snapshot() == before


def test_the_token_endpoint_refuses_nested_json_anonymously(world):
    response = APIClient().post("/api/v1/auth/token/", "[" * 1000, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"JSON parse error - arrays and objects nest deeper than {MAX_JSON_DEPTH} levels."
    }


def test_nesting_up_to_the_limit_is_parsed_and_brackets_inside_strings_do_not_count(world):
    athlete = world["me"]
    client = APIClient()
    client.force_authenticate(athlete.user)
    CheckIn.objects.all().delete()
    note = "[{" * 200 + '\\"' + "}]" * 200
    body = {"athlete": athlete.pk, "pain_rest": 1, "pain_activity": 1, "pain_morning": 1}
    response = client.post("/api/v1/checkins/", {**body, "note": note}, format="json")
    assert response.status_code == 201, response.content
    assert CheckIn.objects.get().note == note
    deep_enough = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    parsed = client.post("/api/v1/checkins/", deep_enough, content_type="application/json")
    assert parsed.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
    too_deep = "[" + deep_enough + "]"
    refused = client.post("/api/v1/checkins/", too_deep, content_type="application/json")
    assert refused.status_code == 400 and "deeper than 32 levels" in refused.json()["detail"]


def test_a_body_over_the_upload_limit_is_a_400_and_one_under_it_is_read(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    athlete = world["me"]
    client = APIClient()
    client.force_authenticate(athlete.user)
    CheckIn.objects.all().delete()
    body = {"athlete": athlete.pk, "pain_rest": 1, "pain_activity": 1, "pain_morning": 1}
    big = client.post("/api/v1/checkins/", {**body, "note": "x" * 2000}, format="json")
    assert big.status_code == 400
    assert big.json() == {"detail": "The request body is too large: the limit is 2,000 bytes."}
    assert not CheckIn.objects.exists()
    token = APIClient().post(
        "/api/v1/auth/token/",
        json.dumps({"username": "x" * 3000, "password": "y"}),
        content_type="application/json",
    )
    assert token.status_code == 400 and "too large" in token.json()["detail"]
    form = client.post("/api/v1/checkins/", {**body, "note": "x" * 2000})
    assert form.status_code == 400 and "too large" in form.json()["detail"]
    small = client.post("/api/v1/checkins/", {**body, "note": "x" * 900}, format="json")
    assert small.status_code == 201


def test_too_many_query_parameters_are_a_json_400(world):
    client = APIClient()
    client.force_authenticate(world["me"].user)
    response = client.get("/api/v1/checkins/?" + "&".join(f"p{n}=1" for n in range(1001)))
    assert response.status_code == 400
    assert response.json() == {"detail": "Too many fields: the limit is 1,000."}


def test_every_api_view_parses_json_with_the_bounded_parser():
    """A view naming its own parsers (DRF's ObtainAuthToken does) must not bring back the
    unbounded one: walks every URL pattern."""

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
                yield pattern.callback.cls

    seen = list(views(get_resolver().url_patterns))
    assert len(seen) > 20
    for view in seen:
        json_parsers = [p for p in view.parser_classes if issubclass(p, JSONParser)]
        assert all(issubclass(p, BoundedJSONParser) for p in json_parsers), view


# --- numbers ---------------------------------------------------------------------------------

HOSTILE_INTEGERS = ["1e309", "-1e309", str(2**70), str(-(2**70)), '"NaN"', "true", '"1e309"']


@pytest.mark.parametrize("method, path, where", **cases("integer"))
def test_every_integer_field_refuses_overflowing_and_non_numbers_at_the_field(
    world, method, path, where
):
    before = snapshot()
    for raw in HOSTILE_INTEGERS:
        response = send(world, method, path, with_value(where, raw))
        assert response.status_code == 400, (raw, response.content)
        assert error_at(response.json(), where), raw
    assert snapshot() == before


def test_ids_are_whole_numbers_or_their_digits(world):
    coach = world["staff"][0]
    client = APIClient()
    client.force_authenticate(coach)
    athlete = world["me"]
    body = {"athlete": athlete.pk, "metric": "split_30m", "value": 4.2}
    for given in (athlete.pk, str(athlete.pk), f" {athlete.pk} "):
        assert client.post("/api/v1/measurements/", {**body, "athlete": given}, format="json")
    assert Measurement.objects.filter(athlete=athlete).count() == 4  # with the fixture's own
    for given, message in [
        (float(athlete.pk), "Enter an id (a whole number), not a number with a fraction"),
        (True, "Enter an id (a whole number), not true or false."),
        ("0x1", "Enter an id (a whole number), not text."),
        ([athlete.pk], "Enter an id (a whole number), not a list."),
        ({"id": athlete.pk}, "Enter an id (a whole number), not an object."),
        ("9" * 30, "No such id: ids are whole numbers of at most 19 digits."),
        (2**63, "No such id: ids are whole numbers of at most 19 digits."),
    ]:
        response = client.post("/api/v1/measurements/", {**body, "athlete": given}, format="json")
        assert response.status_code == 400
        assert response.json()["athlete"][0].startswith(message), given


# --- times and dates ---------------------------------------------------------------------------

HOSTILE_TIMES = [
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59",
    "1899-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
]
HOSTILE_DATES = ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]


@pytest.mark.parametrize("method, path, where", **cases("date-time"))
def test_every_time_field_refuses_times_outside_1900_to_2100_at_the_field(
    world, method, path, where
):
    before = snapshot()
    for value in HOSTILE_TIMES:
        response = send(world, method, path, with_value(where, json.dumps(value)))
        assert response.status_code == 400, (value, response.content)
        assert error_at(response.json(), where), value
    assert snapshot() == before


@pytest.mark.parametrize("method, path, where", **cases("date"))
def test_every_date_field_refuses_dates_outside_1900_to_2100_at_the_field(
    world, method, path, where
):
    before = snapshot()
    for value in HOSTILE_DATES:
        response = send(world, method, path, with_value(where, json.dumps(value)))
        assert response.status_code == 400, (value, response.content)
        assert error_at(response.json(), where), value
    assert snapshot() == before


@pytest.mark.parametrize("resource", ["checkins", "sessions", "measurements"])
@pytest.mark.parametrize("parameter", ["since", "until"])
def test_time_filters_take_years_1900_to_2100(world, resource, parameter):
    client = APIClient()
    client.force_authenticate(world["staff"][0])
    for value in [*HOSTILE_TIMES, "0001-01-01", "9999-12-31"]:
        response = client.get(f"/api/v1/{resource}/", {parameter: value})
        assert response.status_code == 400, value
        assert response.json() == {parameter: ["Enter a time between 1 Jan 1900 and 31 Dec 2100."]}
    for value in ["1900-01-01T00:00:00Z", "1900-01-01", "2100-12-31T23:59:59Z", "2100-06-01"]:
        assert client.get(f"/api/v1/{resource}/", {parameter: value}).status_code == 200, value


def test_time_filters_still_filter(world):
    client = APIClient()
    client.force_authenticate(world["staff"][0])
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    for resource in ("checkins", "sessions", "measurements"):
        since = client.get(f"/api/v1/{resource}/", {"since": yesterday}).json()["count"]
        until = client.get(f"/api/v1/{resource}/", {"until": yesterday}).json()["count"]
        assert (since, until) == (1, 0), resource


HOSTILE_QUERY = {
    "integer": ["1e309", str(2**70), "-1", "NaN", "true", "9" * 5000],
    "date-time": HOSTILE_TIMES,
}


@pytest.mark.parametrize("path, operation", LIST_OPERATIONS, ids=[p for p, _ in LIST_OPERATIONS])
def test_hostile_query_parameters_never_answer_500(world, path, operation):
    client = APIClient()
    client.force_authenticate(world["staff"][0])
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        schema = resolve(parameter.get("schema", {}))
        kind = schema.get("format") if schema.get("format") == "date-time" else schema.get("type")
        for value in HOSTILE_QUERY.get(kind, []):
            response = client.get(path, {parameter["name"]: value})
            allowed = (200, 400, 404) if parameter["name"] == "page" else (200, 400)
            assert response.status_code in allowed, (parameter["name"], value)
            if response.status_code == 400:
                assert parameter["name"] in response.json(), (parameter["name"], value)


# --- what comes back ---------------------------------------------------------------------------

RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
LOOKS_LIKE_A_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T")


def times_in(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from times_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from times_in(item)
    elif isinstance(value, str) and LOOKS_LIKE_A_TIME.match(value):
        yield value


def test_every_time_a_list_returns_is_valid_rfc_3339_even_before_the_zones_first_rule(world):
    """London kept local mean time (-00:01:15) until 1847: a time stored from then (older
    data, or anything written around the validators) is returned in UTC, not with an offset
    in seconds, and a time whose local date does not exist (year 1) does not overflow."""
    year_one = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    mean_time = dt.datetime(1800, 6, 1, 12, 0, tzinfo=dt.UTC)
    # (Check-ins, sessions and measurements have check constraints from 2000 on.)
    Flag.objects.filter(pk=world["ids"]["flags"]).update(
        opened_at=year_one, acknowledged_at=mean_time
    )
    SignOffRequest.objects.filter(pk=world["ids"]["signoffs"]).update(requested_at=mean_time)
    client = APIClient()
    client.force_authenticate(world["staff"][1])
    checked = []
    for path, _ in LIST_OPERATIONS:
        if not path.startswith("/api/v1/"):
            continue  # the schema itself
        response = client.get(path)
        assert response.status_code == 200, path
        for text in times_in(response.json()):
            assert RFC_3339.fullmatch(text), (path, text)
            checked.append(dt.datetime.fromisoformat(text))
    assert year_one in checked and mean_time in checked
    assert len(checked) >= 10
    flag = client.get(f"/api/v1/flags/{world['ids']['flags']}/").json()
    assert flag["opened_at"] == "0001-01-01T00:00:00Z"
    assert flag["acknowledged_at"] == "1800-06-01T12:00:00Z"
    # Times with whole-minute offsets keep the local zone (London in summer: +01:00).
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    Flag.objects.filter(pk=world["ids"]["flags"]).update(opened_at=summer)
    flag = client.get(f"/api/v1/flags/{world['ids']['flags']}/").json()
    assert flag["opened_at"] == "2026-07-01T13:00:00+01:00"


def test_every_serializer_field_of_the_api_uses_the_bounded_classes():
    """Declared fields and model serializers alike: ids through IdField, times and dates
    through the bounded, RFC 3339 classes (a new serializer inherits them or fails here)."""
    project = ("athletes.", "monitoring.", "rehab.", "config.")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [cls for cls in set(subclasses(Serializer)) if cls.__module__.startswith(project)]
    assert len(ours) > 20
    for cls in ours:
        if issubclass(cls, ModelSerializer):
            assert issubclass(cls, api_serializers.ModelSerializer), cls
        for name, field in cls._declared_fields.items():
            if isinstance(field, PrimaryKeyRelatedField):
                assert isinstance(field, api_serializers.IdField), (cls, name)
            if isinstance(field, DateTimeField):
                assert isinstance(field, api_serializers.DateTimeField), (cls, name)
            if isinstance(field, DateField):
                assert isinstance(field, api_serializers.DateField), (cls, name)
