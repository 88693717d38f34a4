"""Sprint trials (issue 18): the service's rules, the trial stored with its derived
measurements, exactly once per client key, and the API (shape, scope, roles, hostile input).
The fit itself is monitoring.sprint_profile's (its own tests)."""

import dataclasses
import datetime as dt
import json
import math
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.models import EvaluationRequest
from monitoring import sprints
from monitoring.metric_registry import SPRINT_PROFILE_METRICS
from monitoring.models import Measurement, MetricKind, SprintTrial
from monitoring.sprints import record_sprint_trial
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

MSS, TAU = 9.0, 1.1


def distance_at(t: float, mss: float = MSS, tau: float = TAU) -> float:
    """The mono-exponential model's distance at time t (no time shift)."""
    return mss * (t + tau * math.exp(-t / tau) - tau)


def time_at(d: float, mss: float = MSS, tau: float = TAU) -> float:
    """When the model reaches distance d (bisection: d(t) increases)."""
    low, high = 0.0, 60.0
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if distance_at(middle, mss, tau) < d else (low, middle)
    return round((low + high) / 2, 3)


def model_splits(distances=(5, 10, 20, 30, 40)) -> list[dict]:
    return [{"distance_m": d, "time_s": time_at(d)} for d in distances]


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def record(athlete, by, **extra):
    values = {"measured_at": None, "splits": model_splits(), "start": "crouch", **extra}
    return record_sprint_trial(athlete, by=by, **values)


# --- the service's rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"splits": []}, "splits", "Enter at least two splits."),
        ({"splits": [{"distance_m": 10, "time_s": 1.9}]}, "splits", "Enter at least two"),
        (
            {"splits": [{"distance_m": d, "time_s": d / 5} for d in range(1, 22)]},
            "splits",
            "Enter at most 20 splits.",
        ),
        (
            {"splits": [{"distance_m": 0, "time_s": 1.0}, {"distance_m": 10, "time_s": 2.0}]},
            "splits",
            "Split 1: the distance must be greater than 0 m.",
        ),
        (
            {"splits": [{"distance_m": 5, "time_s": -1}, {"distance_m": 10, "time_s": 2.0}]},
            "splits",
            "Split 1: the time must be greater than 0 s.",
        ),
        (
            {"splits": [{"distance_m": 5, "time_s": 1.2}, {"distance_m": 5, "time_s": 2.0}]},
            "splits",
            "Split 2: the distance must be greater than the one before.",
        ),
        (
            {"splits": [{"distance_m": 5, "time_s": 1.2}, {"distance_m": 10, "time_s": 1.2}]},
            "splits",
            "Split 2: the time must be greater than the one before.",
        ),
        (
            {"splits": [{"distance_m": 5, "time_s": 1.2}, {"distance_m": 401, "time_s": 50}]},
            "splits",
            "Split 2: the distance must be at most 400 m.",
        ),
        (
            {"splits": [{"distance_m": 5, "time_s": 1.2}, {"distance_m": 300, "time_s": 61}]},
            "splits",
            "Split 2: the time must be at most 60 s.",
        ),
        (
            {
                "splits": [
                    {"distance_m": 5, "time_s": float("nan")},
                    {"distance_m": 10, "time_s": 2},
                ]
            },
            "splits",
            "Split 1: the time must be a number.",
        ),
        (
            {
                "splits": [
                    {"distance_m": float("inf"), "time_s": 1},
                    {"distance_m": 10, "time_s": 2},
                ]
            },
            "splits",
            "Split 1: the distance must be a number.",
        ),
        (
            {"splits": [{"distance_m": True, "time_s": 1}, {"distance_m": 10, "time_s": 2}]},
            "splits",
            "Split 1: the distance must be a number.",
        ),
        (
            {"splits": ["10 m in 1.9 s", {"distance_m": 10, "time_s": 2}]},
            "splits",
            "Split 1: enter",
        ),
        ({"splits": "5:1.2,10:2.0"}, "splits", "Enter at least two splits."),
        ({"start": "flying"}, "run_in_m", "A flying start needs its run-in"),
        ({"start": "flying", "run_in_m": 0}, "run_in_m", "A flying start needs its run-in"),
        ({"start": "flying", "run_in_m": 101}, "run_in_m", "at most 100 m"),
        ({"start": "standing", "run_in_m": 20}, "run_in_m", "Only a flying start has a run-in"),
        ({"start": "sideways"}, "start", "Choose a standing, crouch or flying start."),
        ({"body_mass_kg": 29.9}, "body_mass_kg", "between 30 and 200 kg"),
        ({"body_mass_kg": 250}, "body_mass_kg", "between 30 and 200 kg"),
        (
            {"measured_at": timezone.now() + dt.timedelta(days=1)},
            "measured_at",
            "The sprint time cannot be in the future.",
        ),
        (
            {"measured_at": dt.datetime(1999, 12, 31, tzinfo=dt.UTC)},
            "measured_at",
            "The sprint time must be from 1 Jan 2000 on.",
        ),
    ],
)
def test_each_rule_refuses_at_its_field_and_stores_nothing(world, extra, field, message):
    with pytest.raises(ValidationError) as refused:
        record(world.athlete, world.coach, **extra)
    messages = refused.value.message_dict[field]
    assert any(message in text for text in messages), messages
    assert not SprintTrial.all_objects.exists() and not Measurement.objects.exists()


def test_every_broken_split_is_named_at_once(world):
    splits = [
        {"distance_m": 10, "time_s": 1.9},
        {"distance_m": 5, "time_s": 2.5},
        {"distance_m": 20, "time_s": "abc"},
    ]
    with pytest.raises(ValidationError) as refused:
        record(world.athlete, world.coach, splits=splits)
    assert refused.value.message_dict["splits"] == [
        "Split 2: the distance must be greater than the one before.",
        "Split 3: the time must be a number.",
    ]


def test_a_session_of_another_athlete_is_refused(world):
    session = SessionFactory(athlete=world.teammate)
    with pytest.raises(ValidationError) as refused:
        record(world.athlete, world.coach, session=session)
    assert "session" in refused.value.message_dict


def test_athletes_and_outsiders_may_not_record_sprints(world):
    for user in (world.athlete.user, world.outsider_coach, world.teammate.user):
        with pytest.raises(PermissionDenied):
            record(world.athlete, user)
    assert not SprintTrial.all_objects.exists()


# --- what is stored ----------------------------------------------------------------------------


def test_a_trial_is_stored_with_its_derived_measurements_in_one_go(world):
    session = SessionFactory(athlete=world.athlete)
    at = timezone.now() - dt.timedelta(hours=2)
    EvaluationRequest.objects.all().delete()
    trial = record(
        world.athlete,
        world.clinician,
        measured_at=at,
        body_mass_kg=72.5,
        session=session,
        notes="  light headwind, dry track ",
    )
    trial.refresh_from_db()
    assert trial.quality == "good"
    assert trial.mss == pytest.approx(MSS, rel=0.01) and trial.tau == pytest.approx(TAU, rel=0.05)
    assert trial.splits == [
        {"distance_m": float(s["distance_m"]), "time_s": s["time_s"]} for s in model_splits()
    ]
    assert trial.wind_surface_notes == "light headwind, dry track"
    assert trial.created_by == world.clinician and trial.session == session
    derived = Measurement.objects.filter(sprint_trial=trial).select_related("metric")
    # Every fitted value (F0, V0, Pmax too, with the body mass) is a measurement of its kind.
    assert {m.metric.code for m in derived} == set(SPRINT_PROFILE_METRICS.values())
    for m in derived:
        attribute = next(a for a, code in SPRINT_PROFILE_METRICS.items() if code == m.metric.code)
        assert m.value == pytest.approx(getattr(trial, attribute))
        assert (m.source, m.measured_at, m.athlete, m.session) == (
            "derived",
            trial.measured_at,
            world.athlete,
            session,
        )
        assert not m.metric.value_errors(m.value)
    assert EvaluationRequest.objects.filter(athlete=world.athlete).exists()


def test_without_body_mass_there_is_no_force_velocity_profile(world):
    trial = record(world.athlete, world.coach)
    assert trial.f0 is None and trial.v0 is None and trial.pmax is None
    codes = set(trial.measurements.values_list("metric__code", flat=True))
    assert codes == {"sprint_mss", "sprint_tau", "sprint_max_acceleration", "sprint_t90"}


def test_a_poor_fit_keeps_its_values_on_the_trial_only(world, monkeypatch):
    real = sprints.fit_profile

    def poor(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), quality="poor_fit")

    monkeypatch.setattr(sprints, "fit_profile", poor)
    trial = record(world.athlete, world.coach)
    assert trial.quality == "poor_fit" and trial.mss is not None
    assert not Measurement.objects.filter(sprint_trial=trial).exists()


def test_a_retried_client_key_returns_the_first_trial_and_writes_nothing(world):
    key = uuid.uuid4()
    first = record(world.athlete, world.coach, client_key=key)
    counts = SprintTrial.objects.count(), Measurement.objects.count()
    again = record(world.athlete, world.coach, client_key=key, splits=model_splits((10, 20, 30)))
    assert again.pk == first.pk
    assert (SprintTrial.objects.count(), Measurement.objects.count()) == counts


def test_the_sprint_metric_kinds_are_in_the_registry():
    kinds = MetricKind.objects.filter(code__in=SPRINT_PROFILE_METRICS.values())
    assert {k.code: (k.unit, k.direction) for k in kinds} == {
        "sprint_mss": ("m/s", "higher"),
        "sprint_tau": ("s", "lower"),
        "sprint_max_acceleration": ("m/s²", "higher"),
        "sprint_t90": ("s", "lower"),
        "sprint_f0": ("N/kg", "higher"),
        "sprint_v0": ("m/s", "higher"),
        "sprint_pmax": ("W/kg", "higher"),
    }
    assert all(k.category == "sprint" and not k.bilateral for k in kinds)


def test_a_trial_goes_with_its_athlete_and_takes_its_measurements(world):
    trial = record(world.athlete, world.coach)
    assert Measurement.objects.filter(sprint_trial=trial).exists()
    trial.delete()
    assert not Measurement.objects.filter(source="derived").exists()


# --- the API -----------------------------------------------------------------------------------

PROFILE_KEYS = {
    "mss",
    "tau",
    "time_shift",
    "max_acceleration",
    "t90",
    "f0",
    "v0",
    "pmax",
    "rmse",
    "quality",
    "quality_text",
}


def body(athlete, **extra):
    return {
        "athlete": athlete.pk,
        "measured_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "splits": model_splits(),
        "start": "standing",
        **extra,
    }


def test_post_answers_201_with_the_trial_and_its_profile(world):
    response = client_for(world.coach).post(
        "/api/v1/sprints/", body(world.athlete, body_mass_kg=70, notes="Tailwind"), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["athlete"] == world.athlete.pk and data["start"] == "standing"
    assert data["notes"] == "Tailwind" and data["body_mass_kg"] == 70
    assert [s["distance_m"] for s in data["splits"]] == [5, 10, 20, 30, 40]
    assert set(data["profile"]) == PROFILE_KEYS
    assert data["profile"]["mss"] == pytest.approx(MSS, rel=0.02)
    assert data["profile"]["quality"] == "good" and data["profile"]["quality_text"]
    trial = SprintTrial.objects.get(pk=data["id"])
    assert sorted(data["measurements"]) == sorted(trial.measurements.values_list("pk", flat=True))
    assert len(data["measurements"]) == 7
    detail = client_for(world.clinician).get(f"/api/v1/sprints/{trial.pk}/")
    assert detail.status_code == 200 and detail.json() == data


def test_an_idempotency_key_replays_the_first_answer(world):
    client = client_for(world.coach)
    payload = body(world.athlete)
    first = client.post("/api/v1/sprints/", payload, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    again = client.post("/api/v1/sprints/", payload, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert SprintTrial.objects.count() == 1


def test_the_list_is_paginated_and_filtered_by_athlete(world):
    mine = record(world.athlete, world.coach)
    theirs = record(world.teammate, world.coach)
    client = client_for(world.coach)
    everyone = client.get("/api/v1/sprints/").json()
    assert {row["id"] for row in everyone["results"]} == {mine.pk, theirs.pk}
    assert "count" in everyone
    only = client.get(f"/api/v1/sprints/?athlete={world.athlete.pk}").json()
    assert [row["id"] for row in only["results"]] == [mine.pk]
    assert set(only["results"][0]["profile"]) == PROFILE_KEYS


def test_an_athlete_reads_their_own_trials_and_may_not_post(world):
    mine = record(world.athlete, world.coach)
    record(world.teammate, world.coach)
    client = client_for(world.athlete.user)
    listed = client.get("/api/v1/sprints/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    refused = client.post("/api/v1/sprints/", body(world.athlete), format="json")
    assert refused.status_code == 403
    assert SprintTrial.objects.count() == 2


def test_outsiders_get_404_and_empty_lists_and_cannot_post(world):
    trial = record(world.athlete, world.coach)
    outsider = client_for(world.outsider_coach)
    assert outsider.get(f"/api/v1/sprints/{trial.pk}/").status_code == 404
    listed = outsider.get(f"/api/v1/sprints/?athlete={world.athlete.pk}").json()
    assert listed["results"] == []
    posted = outsider.post("/api/v1/sprints/", body(world.athlete), format="json")
    assert posted.status_code == 400 and "athlete" in posted.json()
    session = SessionFactory(athlete=world.outsider)
    mine = client_for(world.coach).post(
        "/api/v1/sprints/", body(world.athlete, session=session.pk), format="json"
    )
    assert mine.status_code == 400 and "session" in mine.json()
    assert SprintTrial.objects.count() == 1


@pytest.mark.parametrize(
    "raw, field",
    [
        ('{"splits": "fast"}', "splits"),
        (
            '{"splits": [{"distance_m": "NaN", "time_s": 1.2}, {"distance_m": 10, "time_s": 2}]}',
            "splits",
        ),
        (
            '{"splits": [{"distance_m": 1e309, "time_s": 1.2}, {"distance_m": 10, "time_s": 2}]}',
            "detail",  # the JSON parser refuses Infinity
        ),
        (
            '{"splits": [{"distance_m": {"a": [1]}, "time_s": [1]}, null]}',
            "splits",
        ),
        ('{"splits": [[5, 1.2], [10, 2.0]]}', "splits"),
        ('{"splits": null}', "splits"),
        (json.dumps({"splits": [{"distance_m": 5, "time_s": 1}] * 10_000}), "splits"),
        ('{"body_mass_kg": "NaN"}', "body_mass_kg"),
        ('{"body_mass_kg": "heavy"}', "body_mass_kg"),
        ('{"body_mass_kg": -70}', "body_mass_kg"),
        ('{"start": "flying", "run_in_m": -5}', "run_in_m"),
        ('{"start": "flying", "run_in_m": "Infinity"}', "run_in_m"),
        ('{"start": ["standing"]}', "start"),
        ('{"session": "x"}', "session"),
        ('{"session": 99999999999999999999999}', "session"),
        ('{"measured_at": "2999-01-01T00:00:00Z"}', "measured_at"),
        ('{"measured_at": "soon"}', "measured_at"),
        ('{"athlete": [1]}', "athlete"),
        (json.dumps({"notes": "x" * 201}), "notes"),
    ],
)
def test_hostile_input_answers_400_at_its_field(world, raw, field):
    payload = {**body(world.athlete), **json.loads(raw)}
    response = client_for(world.coach).post(
        "/api/v1/sprints/", json.dumps(payload, allow_nan=True), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not SprintTrial.all_objects.exists()


def test_a_garbage_body_answers_400(world):
    client = client_for(world.coach)
    for raw in ("[]", '"sprint"', "{}", "[" * 5000 + "]" * 5000):
        response = client.generic("POST", "/api/v1/sprints/", raw, content_type="application/json")
        assert response.status_code == 400, raw[:20]
    assert not SprintTrial.all_objects.exists()


# --- voiding a trial entered in error ----------------------------------------------------------


def test_voiding_a_trial_voids_its_derived_measurements_and_marks_the_flags_citing_it(world):
    from athletes.models import AuditEvent, Baseline
    from monitoring.corrections import void_sprint_trial
    from monitoring.models import Flag, FlagKind
    from rehab import scan
    from tests.factories import start_plan

    start_plan(world.athlete, phase_order=2, entered_days_ago=3)  # allows 80 %
    Baseline.objects.create(
        athlete=world.athlete,
        metric=MetricKind.objects.get(code="sprint_mss"),
        value=10.0,
        measured_on=timezone.localdate() - dt.timedelta(days=90),
    )
    trial = record(world.athlete, world.coach)  # MSS 9.0: 90 % of pre-injury
    scan.scan_all()
    flag = Flag.objects.get(athlete=world.athlete, kind=FlagKind.INTENSITY_ABOVE_PHASE)
    void_sprint_trial(trial, by=world.clinician, reason="Gates misplaced: 30 m gate at 25 m")
    trial.refresh_from_db()
    assert trial.is_voided and trial.voided_by == world.clinician
    assert not Measurement.objects.filter(sprint_trial=trial).exists()
    assert Measurement.all_objects.filter(sprint_trial=trial, voided_at__isnull=False).count() >= 4
    flag.refresh_from_db()
    assert flag.evidence_voided_at is not None
    assert (
        "sprint trial" in flag.evidence_voided_note
        and "Gates misplaced" in flag.evidence_voided_note
    )
    event = AuditEvent.objects.get(action="sprint.void")
    assert event.before["mss"] == pytest.approx(9.0, abs=0.05)
    assert not SprintTrial.objects.filter(pk=trial.pk).exists()
    # The next evaluation no longer finds the sprint: the condition clears.
    scan.scan_all()
    flag.refresh_from_db()
    assert flag.condition_cleared_at is not None
    with pytest.raises(sprints_corrections_already_voided()):
        void_sprint_trial(trial, by=world.coach, reason="again")


def sprints_corrections_already_voided():
    from monitoring.corrections import AlreadyVoided

    return AlreadyVoided


def test_the_api_voids_a_trial_once_and_an_athlete_or_outsider_cannot(world):
    trial = record(world.athlete, world.coach)
    url = f"/api/v1/sprints/{trial.pk}/void/"
    assert (
        client_for(world.athlete.user).post(url, {"reason": "no"}, format="json").status_code == 403
    )
    assert (
        client_for(world.outsider_coach).post(url, {"reason": "no"}, format="json").status_code
        == 404
    )
    missing = client_for(world.coach).post(url, {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    done = client_for(world.coach).post(url, {"reason": "Wrong athlete"}, format="json")
    assert done.status_code == 200 and done.json()["void_reason"] == "Wrong athlete"
    again = client_for(world.coach).post(url, {"reason": "Wrong athlete"}, format="json")
    assert again.status_code == 409
    listed = client_for(world.coach).get("/api/v1/sprints/").json()["results"]
    assert trial.pk not in [t["id"] for t in listed]


def test_the_trial_page_voids_it_with_a_reason(client, world):
    from django.urls import reverse

    trial = record(world.athlete, world.coach)
    client.force_login(world.coach)
    detail = reverse("coach:sprint", args=[world.athlete.pk, trial.pk])
    void = reverse("coach:sprint-void", args=[world.athlete.pk, trial.pk])
    assert void in client.get(detail).content.decode()
    assert client.post(void, {"reason": ""}).status_code == 400
    response = client.post(void, {"reason": "Timed the wrong athlete"})
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "Timed the wrong athlete" in page and void not in page
    client.force_login(world.outsider_coach)
    assert client.get(void).status_code == 404
