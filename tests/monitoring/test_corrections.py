"""Corrections with a trail (PRODUCT.md §2.9): edit and void check-ins, sessions and
measurements through the services, the API and the pages; the audit keeps before → after;
voided rows leave gates, rules and lists; every endpoint is scoped (owner/teammate/outsider)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.models import AuditAction, AuditEvent, EvaluationRequest, Role
from monitoring import corrections
from monitoring.models import (
    CheckIn,
    Flag,
    FlagKind,
    Measurement,
    TrainingSession,
)
from rehab import scan
from rehab.gates import evaluate_plan
from tests.factories import (
    CheckInFactory,
    MeasurementFactory,
    SessionFactory,
    TeamFactory,
    athlete_with_login,
    metric,
    start_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    """The shared world, its athlete (Maya Okafor) in phase 3 for five days."""
    me = world.athlete
    plan = start_plan(me, phase_order=3, entered_days_ago=5)
    return {
        "me": me,
        "plan": plan,
        "owner": me.user,
        "teammate": world.teammate.user,
        "coach": world.coach,
        "clinician": world.clinician,
        "outsider_coach": world.outsider_coach,
    }


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def events(action):
    return list(AuditEvent.objects.filter(action=action))


# --- services ----------------------------------------------------------------------------------


def test_an_athlete_corrects_their_own_checkin_without_a_reason_and_the_audit_keeps_before_and_after(
    world,
):
    checkin = CheckInFactory(athlete=world["me"], pain_rest=5, created_by=world["owner"])
    corrections.correct_checkin(checkin, by=world["owner"], values={"pain_rest": 1})
    checkin.refresh_from_db()
    assert checkin.pain_rest == 1
    (event,) = events(AuditAction.CHECKIN_CORRECT)
    assert event.before == {"pain_rest": 5} and event.after == {"pain_rest": 1}
    assert event.actor == world["owner"] and event.role == Role.ATHLETE
    # The athlete's evaluation is queued in the same transaction (it runs after the commit).
    assert EvaluationRequest.objects.filter(athlete=world["me"]).exists()


def test_staff_need_a_reason_to_change_an_athletes_own_checkin(world):
    checkin = CheckInFactory(athlete=world["me"], pain_rest=5, created_by=world["owner"])
    with pytest.raises(ValidationError) as refused:
        corrections.correct_checkin(checkin, by=world["coach"], values={"pain_rest": 1})
    assert "reason" in refused.value.message_dict
    corrections.correct_checkin(
        checkin, by=world["coach"], values={"pain_rest": 1}, reason="Typed into the wrong box"
    )
    (event,) = events(AuditAction.CHECKIN_CORRECT)
    assert event.after["reason"] == "Typed into the wrong box" and event.role == Role.COACH


def test_a_correction_that_changes_nothing_writes_no_audit_event(world):
    checkin = CheckInFactory(athlete=world["me"], pain_rest=2)
    corrections.correct_checkin(checkin, by=world["owner"], values={"pain_rest": 2})
    assert not events(AuditAction.CHECKIN_CORRECT)


def test_a_correction_is_validated_like_an_entry_and_stores_nothing_when_refused(world):
    checkin = CheckInFactory(athlete=world["me"], pain_rest=2)
    with pytest.raises(ValidationError) as refused:
        corrections.correct_checkin(checkin, by=world["owner"], values={"pain_rest": 11})
    assert "pain_rest" in refused.value.message_dict
    checkin.refresh_from_db()
    assert checkin.pain_rest == 2 and not events(AuditAction.CHECKIN_CORRECT)


def test_moving_a_checkin_onto_a_day_that_has_one_names_that_day(world):
    today = CheckInFactory(athlete=world["me"])
    yesterday = CheckInFactory(athlete=world["me"], taken_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(corrections.CheckInConflict) as conflict:
        corrections.correct_checkin(
            today, by=world["owner"], values={}, taken_at=yesterday.taken_at
        )
    assert conflict.value.existing == yesterday


def test_only_staff_of_the_team_void_and_voiding_needs_a_reason(world):
    checkin = CheckInFactory(athlete=world["me"])
    for user in (world["owner"], world["teammate"], world["outsider_coach"]):
        with pytest.raises(PermissionDenied):
            corrections.void_checkin(checkin, by=user, reason="wrong")
    with pytest.raises(ValidationError):
        corrections.void_checkin(checkin, by=world["clinician"], reason="  ")
    corrections.void_checkin(checkin, by=world["clinician"], reason="Entered for the wrong athlete")
    assert not CheckIn.objects.exists()
    voided = CheckIn.all_objects.get()
    assert voided.voided_by == world["clinician"] and voided.void_reason.startswith("Entered")
    (event,) = events(AuditAction.CHECKIN_VOID)
    assert event.before["pain_rest"] == 0 and event.after["voided"] is True
    with pytest.raises(corrections.AlreadyVoided):
        corrections.void_checkin(checkin, by=world["coach"], reason="again")


def test_a_voided_checkin_frees_its_day_for_a_new_one(world):
    from monitoring.services import record_checkin

    checkin = CheckInFactory(athlete=world["me"], pain_rest=9)
    corrections.void_checkin(checkin, by=world["coach"], reason="Wrong athlete")
    result = record_checkin(
        world["me"],
        by=world["owner"],
        values={"pain_rest": 1, "pain_activity": 1, "pain_morning": 1},
    )
    assert result.created
    assert CheckIn.all_objects.filter(athlete=world["me"]).count() == 2


def test_a_coach_corrects_their_own_measurement_without_a_reason_but_not_another_coachs(world):
    mine = MeasurementFactory(athlete=world["me"], value=4.4, logged_by=world["coach"])
    theirs = MeasurementFactory(athlete=world["me"], value=4.4, logged_by=world["clinician"])
    corrections.correct_measurement(mine, by=world["coach"], values={"value": 4.3})
    with pytest.raises(ValidationError):
        corrections.correct_measurement(theirs, by=world["coach"], values={"value": 4.3})
    corrections.correct_measurement(
        theirs, by=world["coach"], values={"value": 4.3}, reason="Gate 2 misfired; re-read video"
    )
    assert Measurement.objects.filter(value=4.3).count() == 2
    assert len(events(AuditAction.MEASUREMENT_CORRECT)) == 2


def test_a_correction_is_held_to_the_registry_range(world):
    m = MeasurementFactory(athlete=world["me"], value=4.4, logged_by=world["coach"])
    with pytest.raises(ValidationError) as refused:
        corrections.correct_measurement(m, by=world["coach"], values={"value": -4})
    assert "value" in refused.value.message_dict
    m.refresh_from_db()
    assert m.value == 4.4


def test_a_voided_measurement_leaves_the_gates(world):
    plan = world["plan"]
    strength = metric("knee_flexor_strength")
    injured, other = plan.injury.side, plan.injury.uninjured_side
    MeasurementFactory(athlete=world["me"], metric=strength, side=other, value=400)
    bad = MeasurementFactory(athlete=world["me"], metric=strength, side=injured, value=390)
    MeasurementFactory(
        athlete=world["me"],
        metric=strength,
        side=injured,
        value=300,
        measured_at=timezone.now() - dt.timedelta(hours=2),
    )

    def lsi_gate():
        report = evaluate_plan(plan)
        return next(
            g for g in report["gates"] if g["kind"] == "lsi" and g["metric"] == strength.code
        )

    assert lsi_gate()["facts"]["lsi"] == 97.5
    corrections.void_measurement(bad, by=world["coach"], reason="Wrong leg on the dynamometer")
    assert lsi_gate()["facts"]["lsi"] == 75.0


def test_voiding_the_measurement_a_flag_cites_marks_the_flag_and_clears_its_condition(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    split = metric("split_30m")
    for days, value in ((10, 4.20), (8, 4.21), (6, 4.22)):
        MeasurementFactory(
            athlete=world["me"],
            metric=split,
            value=value,
            measured_at=now - dt.timedelta(days=days),
        )
    slow = MeasurementFactory(athlete=world["me"], metric=split, value=4.9, measured_at=now)
    scan.scan_all(now=now)
    flag = Flag.objects.get(kind=FlagKind.METRIC_REGRESSION)
    assert flag.evidence["measurement_id"] == slow.pk

    with django_capture_on_commit_callbacks(execute=True):
        corrections.void_measurement(slow, by=world["coach"], reason="Timing gate misfired")
    flag.refresh_from_db()
    assert flag.evidence_voided_at is not None
    assert "voided: Timing gate misfired" in flag.evidence_voided_note
    # The evaluation queued by the void ran (eagerly in tests): the condition has cleared.
    assert flag.condition_cleared_at is not None
    assert not EvaluationRequest.objects.exists()


# --- API ---------------------------------------------------------------------------------------


def _checkin(me):
    """A check-in on a day of its own (one per athlete and day)."""
    days = CheckIn.all_objects.filter(athlete=me).count()
    return CheckInFactory(athlete=me, taken_at=timezone.now() - dt.timedelta(days=days))


URLS = {
    "checkins": _checkin,
    "sessions": lambda me: SessionFactory(athlete=me),
    "measurements": lambda me: MeasurementFactory(athlete=me),
}
PATCHES = {
    "checkins": {"pain_rest": 3},
    "sessions": {"rpe": 6},
    "measurements": {"value": 4.35},
}


@pytest.mark.parametrize("resource", URLS)
@pytest.mark.parametrize(
    "who, expected",
    [
        ("coach", {200}),
        ("clinician", {200}),
        # Another athlete may not write at all (403) or does not see the entry (404).
        ("teammate", {403, 404}),
        ("outsider_coach", {404}),
    ],
)
def test_the_api_corrects_with_a_reason_within_the_team_only(world, resource, who, expected):
    entry = URLS[resource](world["me"])
    url = f"/api/v1/{resource}/{entry.pk}/"
    response = api(world[who]).patch(
        url, {**PATCHES[resource], "reason": "Fixing a typo"}, format="json"
    )
    assert response.status_code in expected, response.content
    if expected == {200}:
        field, value = next(iter(PATCHES[resource].items()))
        assert response.json()[field] == value


@pytest.mark.parametrize("resource", URLS)
def test_the_api_wants_a_reason_to_change_someone_elses_entry(world, resource):
    entry = URLS[resource](world["me"])
    response = api(world["coach"]).patch(
        f"/api/v1/{resource}/{entry.pk}/", PATCHES[resource], format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()


def test_the_athlete_corrects_their_own_checkin_through_the_api_but_not_a_session(world):
    checkin = CheckInFactory(athlete=world["me"], created_by=world["owner"])
    response = api(world["owner"]).patch(
        f"/api/v1/checkins/{checkin.pk}/", {"pain_morning": 4}, format="json"
    )
    assert response.status_code == 200 and response.json()["pain_morning"] == 4
    session = SessionFactory(athlete=world["me"])
    response = api(world["owner"]).patch(
        f"/api/v1/sessions/{session.pk}/", {"rpe": 2, "reason": "x"}, format="json"
    )
    assert response.status_code == 403


def test_put_is_not_offered_only_patch(world):
    checkin = CheckInFactory(athlete=world["me"])
    response = api(world["coach"]).put(f"/api/v1/checkins/{checkin.pk}/", {}, format="json")
    assert response.status_code == 405


def test_an_impossible_correction_is_a_400_at_the_field_and_changes_nothing(world):
    m = MeasurementFactory(athlete=world["me"], value=4.4, logged_by=world["coach"])
    response = api(world["coach"]).patch(
        f"/api/v1/measurements/{m.pk}/", {"value": -4}, format="json"
    )
    assert response.status_code == 400 and "value" in response.json()
    m.refresh_from_db()
    assert m.value == 4.4


@pytest.mark.parametrize("resource", URLS)
@pytest.mark.parametrize(
    "who, expected",
    [
        ("coach", {200}),
        ("clinician", {200}),
        ("owner", {403}),
        ("teammate", {403, 404}),
        ("outsider_coach", {404}),
    ],
)
def test_voiding_through_the_api_is_for_the_teams_staff(world, resource, who, expected):
    entry = URLS[resource](world["me"])
    response = api(world[who]).post(
        f"/api/v1/{resource}/{entry.pk}/void/", {"reason": "Entered in error"}, format="json"
    )
    assert response.status_code in expected, response.content
    model = type(entry)
    assert model.all_objects.get(pk=entry.pk).is_voided == (expected == {200})
    if expected == {200}:
        body = response.json()
        assert body["voided_at"] and body["void_reason"] == "Entered in error"
        assert body["voided_by"] == world[who].pk


@pytest.mark.parametrize("resource", URLS)
def test_voided_entries_leave_the_lists_unless_asked_for(world, resource):
    kept, voided = URLS[resource](world["me"]), URLS[resource](world["me"])
    client = api(world["coach"])
    assert (
        client.post(f"/api/v1/{resource}/{voided.pk}/void/", {"reason": "dup"}).status_code == 200
    )
    listed = [r["id"] for r in client.get(f"/api/v1/{resource}/").json()["results"]]
    assert listed == [kept.pk]
    everything = client.get(f"/api/v1/{resource}/?include_voided=true").json()["results"]
    assert {r["id"] for r in everything} == {kept.pk, voided.pk}
    second = client.post(f"/api/v1/{resource}/{voided.pk}/void/", {"reason": "again"})
    assert second.status_code == 409
    patch = client.patch(
        f"/api/v1/{resource}/{voided.pk}/", {**PATCHES[resource], "reason": "x"}, format="json"
    )
    assert patch.status_code == 409


def test_void_without_a_reason_is_a_400(world):
    checkin = CheckInFactory(athlete=world["me"])
    response = api(world["coach"]).post(f"/api/v1/checkins/{checkin.pk}/void/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert CheckIn.objects.filter(pk=checkin.pk).exists()


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, make",
    [
        ("coach:checkin-void", lambda me: CheckInFactory(athlete=me)),
        ("coach:session-void", lambda me: SessionFactory(athlete=me)),
        ("coach:measurement-void", lambda me: MeasurementFactory(athlete=me)),
    ],
)
def test_the_coach_voids_an_entry_on_a_page_with_a_reason(client, world, name, make):
    entry = make(world["me"])
    url = reverse(name, args=[world["me"].pk, entry.pk])
    client.force_login(world["coach"])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and not type(entry).all_objects.get(pk=entry.pk).is_voided
    done = client.post(url, {"reason": "Logged twice"})
    assert done.status_code == 302
    assert type(entry).all_objects.get(pk=entry.pk).is_voided
    page = client.get(reverse("coach:athlete", args=[world["me"].pk]))
    assert b"Voided" in page.content and b"Logged twice" in page.content


@pytest.mark.parametrize(
    "name, make",
    [
        ("coach:checkin-void", lambda me: CheckInFactory(athlete=me)),
        ("coach:session-edit", lambda me: SessionFactory(athlete=me)),
        ("coach:measurement-edit", lambda me: MeasurementFactory(athlete=me)),
    ],
)
@pytest.mark.parametrize("who, expected", [("outsider_coach", 404), ("owner", 403)])
def test_correction_pages_turn_away_outsiders_and_athletes(
    client, world, name, make, who, expected
):
    entry = make(world["me"])
    client.force_login(world[who])
    url = reverse(name, args=[world["me"].pk, entry.pk])
    assert client.get(url).status_code == expected
    assert client.post(url, {"reason": "x", "value": 1}).status_code == expected


def test_the_coach_corrects_a_measurement_on_a_page_and_the_audit_keeps_the_old_value(
    client, world
):
    m = MeasurementFactory(athlete=world["me"], value=4.4, logged_by=world["clinician"])
    url = reverse("coach:measurement-edit", args=[world["me"].pk, m.pk])
    client.force_login(world["coach"])
    when = timezone.localtime(m.measured_at).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {"value": "4.31", "side": "", "measured_at": when})
    assert refused.status_code == 400  # someone else's entry: a reason is needed
    impossible = client.post(url, {"value": "-4", "measured_at": when, "reason": "typo"})
    assert impossible.status_code == 400
    done = client.post(url, {"value": "4.31", "side": "", "measured_at": when, "reason": "typo"})
    assert done.status_code == 302
    m.refresh_from_db()
    assert m.value == 4.31
    (event,) = events(AuditAction.MEASUREMENT_CORRECT)
    assert event.before["value"] == 4.4 and event.after["value"] == 4.31


def test_the_coach_corrects_a_session_on_a_page(client, world):
    session = SessionFactory(athlete=world["me"], rpe=4, logged_by=world["coach"])
    url = reverse("coach:session-edit", args=[world["me"].pk, session.pk])
    client.force_login(world["coach"])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(rpe=7, date=session.date.isoformat())
    assert client.post(url, data).status_code == 302
    assert TrainingSession.objects.get().rpe == 7


def test_a_flag_whose_evidence_was_voided_says_so_and_resolves_in_one_click(client, world):
    checkin = CheckInFactory(athlete=world["me"], pain_rest=8)
    flag = Flag.objects.create(
        athlete=world["me"],
        kind=FlagKind.PAIN_PERSISTING,
        summary="Pain rising",
        evidence={"reports": [{"id": checkin.pk}]},
        opened_at=timezone.now(),
    )
    corrections.void_checkin(checkin, by=world["coach"], reason="Wrong athlete")
    client.force_login(world["coach"])
    page = client.get(reverse("coach:athlete", args=[world["me"].pk]))
    assert b"it cites was voided: Wrong athlete" in page.content
    assert b"Resolve: its evidence was voided" in page.content
    done = client.post(
        reverse("coach:flag-resolve", args=[world["me"].pk, flag.pk]),
        {"note": "Resolved: the evidence it cites was voided as entered in error."},
    )
    assert done.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "resolved"


def test_the_athlete_edits_a_past_checkin_from_history(client, world):
    past = CheckInFactory(
        athlete=world["me"], pain_rest=6, taken_at=timezone.now() - dt.timedelta(days=3)
    )
    client.force_login(world["owner"])
    history = client.get(reverse("me:history"))
    assert reverse("me:checkin-edit", args=[past.pk]).encode() in history.content
    url = reverse("me:checkin-edit", args=[past.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["pain_rest"] == 6
    done = client.post(url, {"pain_rest": 2, "pain_activity": 0, "pain_morning": 0})
    assert done.status_code == 302
    past.refresh_from_db()
    assert past.pain_rest == 2 and past.local_date == timezone.localdate() - dt.timedelta(days=3)
    (event,) = events(AuditAction.CHECKIN_CORRECT)
    assert event.before["pain_rest"] == 6 and event.actor == world["owner"]


def test_an_athlete_cannot_open_someone_elses_checkin(client, world):
    other = CheckInFactory(athlete=athlete_with_login(TeamFactory()))
    client.force_login(world["owner"])
    assert client.get(reverse("me:checkin-edit", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("me:checkin-edit", args=[other.pk]), {"pain_rest": 1}).status_code
        == 404
    )


def test_moving_a_past_checkin_onto_a_logged_day_is_a_field_error(client, world):
    yesterday = CheckInFactory(athlete=world["me"], taken_at=timezone.now() - dt.timedelta(days=1))
    older = CheckInFactory(athlete=world["me"], taken_at=timezone.now() - dt.timedelta(days=2))
    client.force_login(world["owner"])
    when = timezone.localtime(yesterday.taken_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("me:checkin-edit", args=[older.pk]),
        {"pain_rest": 1, "pain_activity": 1, "pain_morning": 1, "taken_at": when},
    )
    assert response.status_code == 400
    assert "already has a check-in" in response.context["form"].errors["taken_at"][0]
    older.refresh_from_db()
    assert older.local_date == timezone.localdate() - dt.timedelta(days=2)
