"""Privacy requests: export everything about one athlete, erase them but keep the sign-offs."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from athletes.audit import record_event
from athletes.models import (
    Athlete,
    AuditAction,
    AuditEvent,
    Baseline,
    EvaluationRequest,
    ExternalId,
    Injury,
    Invitation,
    Role,
)
from core.models import IdempotencyRecord
from monitoring.models import (
    CheckIn,
    CheckinReminder,
    Flag,
    Measurement,
    MetricKind,
    Notification,
    PushSubscription,
    RecoveryActivity,
    SprintTrial,
    TrainingSession,
)
from monitoring.sprints import record_sprint_trial
from portal.privacy import athlete_tables, erase_athlete, export_athlete
from rehab.models import GateSummary, Phase, PhaseChange, Plan, SignOffDecision, SignOffRequest
from tests.factories import (
    CheckInFactory,
    FlagFactory,
    MeasurementFactory,
    SessionFactory,
    athlete_with_login,
    start_plan,
)

pytestmark = pytest.mark.django_db

PERSONAL = (
    CheckIn,
    RecoveryActivity,
    TrainingSession,
    Measurement,
    SprintTrial,
    Flag,
    Notification,
    Baseline,
    CheckinReminder,
    ExternalId,
)
KEPT = (Plan, PhaseChange, SignOffRequest, SignOffDecision, AuditEvent, Injury)


def athlete_with_everything(team, coach, clinician, name):
    athlete = athlete_with_login(team, first_name=name, last_name="Sprinter")
    athlete.date_of_birth = dt.date(2001, 5, 4)
    athlete.save()
    plan = start_plan(athlete, 4, by=coach)
    Injury.objects.filter(athlete=athlete).update(notes=f"{name} felt a pop at 60 m")
    now = timezone.now()
    CheckInFactory(athlete=athlete, pain_rest=3, note=f"{name} sore")
    RecoveryActivity.objects.create(
        athlete=athlete, kind="foam_rolling", minutes=10, performed_on=now.date()
    )
    session = SessionFactory(athlete=athlete, plan=plan)
    MeasurementFactory(athlete=athlete, session=session)
    # A sprint trial and its derived measurements (source "derived", linked to the trial).
    record_sprint_trial(
        athlete, by=coach, measured_at=now, start="crouch", session=session,
        splits=[{"distance_m": 10, "time_s": 2.04}, {"distance_m": 20, "time_s": 3.27},
                {"distance_m": 30, "time_s": 4.41}],
    )  # fmt: skip
    Baseline.objects.create(
        athlete=athlete, metric=MetricKind.objects.get(code="split_30m"), value=4.0,
        measured_on=now.date() - dt.timedelta(days=100),
    )  # fmt: skip
    flag = FlagFactory(athlete=athlete, plan=plan)
    Notification.objects.create(recipient=coach, flag=flag, message=f"{name}: pain")
    request = SignOffRequest.objects.create(
        plan=plan,
        kind=SignOffRequest.Kind.PHASE_REVIEW,
        target_phase=Phase.objects.get(protocol=plan.protocol, order=5),
        requested_by=coach,
        requested_at=now,
        evidence={"pain": [1, 0]},
    )
    decision = SignOffDecision.objects.create(
        request=request,
        decision=SignOffDecision.Decision.DECLINE,
        rationale="H-test insecurity",
        decided_by=clinician,
        decided_role=Role.CLINICIAN,
        decided_at=now,
    )
    record_event(
        actor=clinician, role=Role.CLINICIAN, athlete=athlete,
        action=AuditAction.SIGNOFF_DECLINE, target=decision,
    )  # fmt: skip
    IdempotencyRecord.objects.create(
        user=athlete.user, key=f"k-{name}", method="POST", path="/api/v1/checkins/",
        fingerprint="0" * 64, status_code=201, body={"id": 1},
    )  # fmt: skip
    EvaluationRequest.objects.create(athlete=athlete)  # queued for the monitoring job
    CheckinReminder.objects.create(athlete=athlete, time=dt.time(7, 30))
    ExternalId.objects.create(athlete=athlete, team=team, system="1080 Motion", external_id=name)
    PushSubscription.objects.create(
        user=athlete.user, endpoint=f"https://push.example.net/{name}", p256dh="B", auth="A"
    )
    GateSummary.objects.create(
        plan=plan, phase=plan.current_phase, met=1, missing=0, total=3, evaluated_at=now
    )  # the plan's gate counts, as the consumer stores them
    # The invitation the athlete accepted (it holds their e-mail).
    Invitation.objects.create(
        team=team, role=Role.ATHLETE, email=f"{name.lower()}@example.com", athlete=athlete,
        invited_by=coach, token_hash="0" * 64, expires_at=now + dt.timedelta(days=7),
        accepted_at=now, accepted_by=athlete.user,
    )  # fmt: skip
    return athlete


@pytest.fixture
def world(world):
    """The shared world's staff, and in each team athletes with a row of every kind: the
    owner and a teammate, and a stranger in the other team."""
    team, other_team = world.team, world.other_team
    coach, clinician = world.coach, world.clinician
    outsider = world.outsider_coach
    owner = athlete_with_everything(team, coach, clinician, "Ada")
    teammate = athlete_with_everything(team, coach, clinician, "Bea")
    stranger = athlete_with_everything(other_team, outsider, world.outsider_clinician, "Cy")
    return {
        "coach": coach,
        "clinician": clinician,
        "outsider": outsider,
        "owner": owner,
        "others": [teammate, stranger],
    }


def ids(model, lookup, athlete):
    return set(model.objects.filter(**{lookup: athlete}).values_list("pk", flat=True))


def test_every_table_that_reaches_an_athlete_is_exported(world):
    tables = athlete_tables()
    for model in (*PERSONAL, *KEPT):
        assert model._meta.label in tables, model


def test_export_holds_every_row_of_the_athlete_and_nothing_of_anyone_else(world):
    owner = world["owner"]
    expected = {
        label: ids(Athlete._meta.apps.get_model(label), lookup, owner)
        for label, lookup in athlete_tables().items()
    }
    data = json.loads(json.dumps(export_athlete(owner, by=world["coach"]), default=str))
    tables = data["tables"]
    assert [row["id"] for row in tables["athletes.Athlete"]] == [owner.pk]
    for label, lookup in athlete_tables().items():
        model = Athlete._meta.apps.get_model(label)
        exported = {row["id"] for row in tables[label]}
        assert exported == expected[label], label
        assert exported, f"the fixture has no {label} row"
        for other in world["others"]:
            assert not exported & ids(model, lookup, other), label
    assert tables["auth.User"][0]["username"] == owner.user.username
    assert "password" not in tables["auth.User"][0]
    assert [r["key"] for r in tables["core.IdempotencyRecord"]] == ["k-Ada"]
    assert [r["endpoint"] for r in tables["monitoring.PushSubscription"]] == [
        "https://push.example.net/Ada"
    ]
    text = json.dumps(data)
    assert "Bea" not in text and "Cy" not in text
    event = AuditEvent.objects.get(athlete=owner, action=AuditAction.PRIVACY_EXPORT)
    assert event.actor == world["coach"] and event.role == Role.COACH


def test_erase_deletes_their_data_and_keeps_the_anonymised_plans_and_sign_offs(world):
    owner, user_id = world["owner"], world["owner"].user_id
    kept_before = {model: ids(model, _lookup(model), owner) for model in KEPT}
    decisions = list(SignOffDecision.objects.filter(request__plan__athlete=owner).values())
    others_before = {
        model: model.objects.exclude(**{_lookup(model): owner}).count() for model in PERSONAL
    }

    erase_athlete(owner, by=world["coach"])

    owner.refresh_from_db()
    assert owner.full_name == f"Erased athlete #{owner.pk}"
    assert owner.date_of_birth is None and owner.user is None
    user = type(world["coach"]).objects.get(pk=user_id)
    assert not user.is_active and not user.has_usable_password()
    assert user.username == f"erased-{user_id}" and user.email == ""
    for model in PERSONAL:
        assert not model.objects.filter(**{_lookup(model): owner}).exists(), model
        assert model.objects.exclude(**{_lookup(model): owner}).count() == others_before[model]
    assert not IdempotencyRecord.objects.filter(user_id=user_id).exists()
    assert not PushSubscription.objects.filter(user_id=user_id).exists()
    for model in KEPT:
        kept = ids(model, _lookup(model), owner)
        assert kept == kept_before[model] or (model is AuditEvent and kept > kept_before[model])
    assert list(SignOffDecision.objects.filter(request__plan__athlete=owner).values()) == decisions
    assert set(Injury.objects.filter(athlete=owner).values_list("notes", flat=True)) == {""}
    assert "Ada" not in json.dumps(export_athlete(owner, by=world["coach"]), default=str)
    erased = AuditEvent.objects.get(athlete=owner, action=AuditAction.PRIVACY_ERASE)
    assert erased.after["deleted"]["monitoring.CheckIn"] == 1


def _lookup(model):
    return athlete_tables()[model._meta.label]


def test_the_coach_downloads_the_export_and_outsiders_get_404(client, world):
    owner = world["owner"]
    url = f"/coach/athletes/{owner.pk}/export.json"
    client.force_login(world["coach"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["athlete_id"] == owner.pk
    for person in (world["outsider"], world["clinician"], world["others"][0].user):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(f"/coach/athletes/{owner.pk}/erase/", {"confirm": "Ada Sprinter"}).status_code == 404  # fmt: skip
    owner.refresh_from_db()
    assert owner.first_name == "Ada"


def test_erasing_from_the_page_needs_the_name_typed(client, world):
    owner = world["owner"]
    url = f"/coach/athletes/{owner.pk}/erase/"
    client.force_login(world["coach"])
    assert "Type <strong>Ada Sprinter</strong>" in client.get(url).content.decode()
    wrong = client.post(url, {"confirm": "ada"})
    assert wrong.status_code == 400 and "Type the athlete" in wrong.content.decode()
    assert CheckIn.objects.filter(athlete=owner).exists()
    done = client.post(url, {"confirm": "Ada Sprinter"})
    assert done.status_code == 302
    assert not CheckIn.objects.filter(athlete=owner).exists()
    assert SignOffDecision.objects.filter(request__plan__athlete=owner).exists()


def test_staff_admins_export_and_erase_from_the_admin(admin_client, world):
    owner = world["owner"]
    changelist = "/admin/athletes/athlete/"
    export = admin_client.post(
        changelist, {"action": "export_data", "_selected_action": [owner.pk]}
    )
    assert export.status_code == 200
    assert json.loads(export.content)[0]["athlete_id"] == owner.pk
    ask = admin_client.post(changelist, {"action": "erase_data", "_selected_action": [owner.pk]})
    assert ask.status_code == 200 and "Yes, erase them" in ask.content.decode()
    owner.refresh_from_db()
    assert owner.first_name == "Ada"  # nothing happens before the confirmation
    erase = admin_client.post(
        changelist, {"action": "erase_data", "_selected_action": [owner.pk], "confirm": "yes"}
    )
    assert erase.status_code == 302
    owner.refresh_from_db()
    assert owner.first_name == "Erased athlete"


def test_voided_entries_are_exported_and_erased_too(world):
    from monitoring.corrections import void_checkin, void_measurement

    owner = world["owner"]
    void_checkin(CheckIn.objects.get(athlete=owner), by=world["coach"], reason="Wrong athlete")
    typed = Measurement.objects.get(athlete=owner, sprint_trial=None)  # not a derived one
    void_measurement(typed, by=world["coach"], reason="Misfire")
    exported = export_athlete(owner, by=world["coach"])["tables"]
    assert [r["void_reason"] for r in exported["monitoring.CheckIn"]] == ["Wrong athlete"]
    assert [
        r["void_reason"] for r in exported["monitoring.Measurement"] if r["source"] != "derived"
    ] == ["Misfire"]

    erase_athlete(owner, by=world["coach"])
    assert not CheckIn.all_objects.filter(athlete=owner).exists()
    assert not Measurement.all_objects.filter(athlete=owner).exists()
    # The corrections' audit events held the erased values ("Ada sore"): they went with them.
    assert not AuditEvent.objects.filter(athlete=owner, action=AuditAction.CHECKIN_VOID).exists()
    assert "Ada" not in json.dumps(export_athlete(owner, by=world["coach"]), default=str)
