"""Every unique rule of our models (a UniqueConstraint, a unique=True field, a one-to-one) is
either checked by each form and serializer that can write it — a field-level error, a 400,
nothing stored — or written only by a service that handles the conflict itself.

RULES maps each rule to the input that can reach it and how it is answered: the proofs run
below, the reasons say why no form or serializer can break it. The staff admin's add form is
checked for every rule of a model it can add. A new rule without an entry fails
`test_every_unique_rule_of_our_models_has_an_entry`.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.models import Baseline, ExternalId, Role
from monitoring.models import (
    CheckIn,
    ImportProfile,
    Notification,
    RecoveryActivity,
)
from rehab.models import Plan, Protocol, SignOffRequest
from rehab.protocol_format import export_document
from rehab.services import copy_protocol
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    FlagFactory,
    InjuryFactory,
    MeasurementFactory,
    MembershipFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
    athlete_with_login,
    metric,
    staff,
    start_plan,
    template,
)

pytestmark = pytest.mark.django_db

APPS = ("core", "athletes", "rehab", "monitoring")


def unique_rules() -> dict[str, tuple]:
    """Every unique rule of our apps' models: "app.Model.rule" → (model, the rule's fields)."""
    found = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            prefix = f"{app}.{model.__name__}"
            for f in model._meta.local_fields:
                if f.unique and not f.primary_key:
                    found[f"{prefix}.{f.name}"] = (model, (f.name,))
            for constraint in model._meta.constraints:
                if isinstance(constraint, models.UniqueConstraint):
                    found[f"{prefix}.{constraint.name}"] = (model, tuple(constraint.fields))
            for fields in model._meta.unique_together:
                found[f"{prefix}.{'_'.join(fields)}"] = (model, tuple(fields))
    return found


# --- proofs: the input that reaches a rule gets a field-level error and stores nothing ----------


@dataclass
class World:
    team: object
    coach: object
    athlete: object


def _world() -> World:
    team = TeamFactory(name="Riverside")
    return World(team=team, coach=staff(team, Role.COACH), athlete=athlete_with_login(team))


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def protocol_editor_rename(w: World, client):
    taken = copy_protocol(template(), team=w.team, by=w.coach)
    mine = copy_protocol(template("calf"), team=w.team, by=w.coach)
    client.force_login(w.coach)
    url = reverse("coach:protocol-edit", args=[mine.pk])
    page = client.get(url)
    data = {}
    formsets = [page.context["phase_forms"], *[g for _, g in page.context["sections"]]]
    for formset in [*formsets, page.context["citation_forms"]]:
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for f in formset.forms:
            data.update({f.add_prefix(n): f[n].value() for n in f.fields if f[n].value()})
    form = page.context["form"]
    data.update({form.add_prefix(n): form[n].value() for n in form.fields})
    data["protocol-name"] = taken.name
    response = client.post(url, data)
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert Protocol.objects.get(pk=mine.pk).name != taken.name


def protocols_api_import_with_a_taken_name(w: World, client):
    taken = copy_protocol(template(), team=w.team, by=w.coach)
    before = Protocol.objects.count()
    response = _api(w.coach).post(
        "/api/v1/protocols/import/", export_document(taken), format="json"
    )
    assert response.status_code == 400
    assert "protocol.name" in response.json()["paths"]
    assert Protocol.objects.count() == before


def _second_injury(w: World):
    plan = start_plan(w.athlete, 1)
    return plan, InjuryFactory(athlete=w.athlete)


def assign_page_with_an_active_plan(w: World, client):
    plan, injury = _second_injury(w)
    client.force_login(w.coach)
    response = client.post(
        reverse("coach:assign", args=[w.athlete.pk]),
        {"injury": injury.pk, "protocol": template().pk},
    )
    assert response.status_code == 400
    assert "protocol" in response.context["assign_form"].errors
    assert Plan.objects.filter(athlete=w.athlete).count() == 1


def assign_page_with_an_injury_that_has_a_plan(w: World, client):
    plan, _ = _second_injury(w)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.COMPLETED)
    client.force_login(w.coach)
    response = client.post(
        reverse("coach:assign", args=[w.athlete.pk]),
        {"injury": plan.injury_id, "protocol": template().pk},
    )
    assert response.status_code == 400
    assert "injury" in response.context["assign_form"].errors
    assert Plan.objects.filter(athlete=w.athlete).count() == 1


def plans_api_with_an_active_plan(w: World, client):
    plan, injury = _second_injury(w)
    response = _api(w.coach).post(
        "/api/v1/plans/", {"injury": injury.pk, "protocol": template().pk}, format="json"
    )
    assert response.status_code == 400 and "protocol" in response.json()
    assert Plan.objects.filter(athlete=w.athlete).count() == 1


def plans_api_with_an_injury_that_has_a_plan(w: World, client):
    plan, _ = _second_injury(w)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.COMPLETED)
    response = _api(w.coach).post(
        "/api/v1/plans/", {"injury": plan.injury_id, "protocol": template().pk}, format="json"
    )
    assert response.status_code == 400 and "injury" in response.json()
    assert Plan.objects.filter(athlete=w.athlete).count() == 1


def checkins_api_second_of_the_day(w: World, client):
    first = CheckInFactory(athlete=w.athlete)
    body = {"athlete": w.athlete.pk, "pain_rest": 1, "pain_activity": 1, "pain_morning": 1}
    response = _api(w.athlete.user).post("/api/v1/checkins/", body, format="json")
    assert response.status_code == 409 and response.json()["existing"] == first.pk
    assert CheckIn.objects.filter(athlete=w.athlete).count() == 1


def history_edit_onto_a_day_that_has_one(w: World, client):
    now = timezone.now()
    yesterday = CheckInFactory(athlete=w.athlete, taken_at=now - dt.timedelta(days=1))
    today = CheckInFactory(athlete=w.athlete, taken_at=now)
    client.force_login(w.athlete.user)
    response = client.post(
        reverse("me:checkin-edit", args=[yesterday.pk]),
        {
            "pain_rest": 1,
            "pain_activity": 1,
            "pain_morning": 1,
            "taken_at": timezone.localtime(today.taken_at).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert "taken_at" in response.context["form"].errors
    yesterday.refresh_from_db()
    assert yesterday.local_date == today.local_date - dt.timedelta(days=1)


def today_page_same_client_key_twice(w: World, client):
    key = uuid.uuid4()
    client.force_login(w.athlete.user)
    body = {"pain_rest": 1, "pain_activity": 1, "pain_morning": 1, "client_key": key}
    assert client.post(reverse("me:today"), body).status_code == 302
    assert client.post(reverse("me:today"), body).status_code == 302  # the first one, again
    assert CheckIn.objects.filter(athlete=w.athlete).count() == 1


def recovery_page_same_client_key_twice(w: World, client):
    key = uuid.uuid4()
    client.force_login(w.athlete.user)
    body = {"kind": "massage", "minutes": 10, "client_key": key}
    assert client.post(reverse("me:recovery"), body).status_code == 302
    assert client.post(reverse("me:recovery"), body).status_code == 302
    assert RecoveryActivity.objects.filter(athlete=w.athlete).count() == 1


def device_id_page_with_a_teammates_id(w: World, client):
    other = AthleteFactory(team=w.team)
    client.force_login(w.coach)
    body = {"system": "1080 Motion", "external_id": "C-17"}
    assert (
        client.post(reverse("coach:athlete-external-id", args=[w.athlete.pk]), body).status_code
        == 302
    )
    response = client.post(reverse("coach:athlete-external-id", args=[other.pk]), body)
    assert response.status_code == 400
    assert "external_id" in response.context["id_form"].errors
    assert ExternalId.objects.count() == 1


def import_page_saving_a_profile_name_taken(w: World, client):
    ImportProfile.objects.create(team=w.team, name="Gates", signature=["x"], mapping={})
    client.force_login(w.coach)
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    text = f"Runner,When,Time\n{w.athlete.pk},{day},4.21\n"
    response = client.post(
        reverse("coach:measurement-import"),
        {
            "content": text,
            "map": "1",
            "athlete_column": "Runner",
            "athlete_by": "id",
            "time_column": "When",
            "time_format": "iso",
            "metric_code": "split_30m",
            "value_column": "Time",
            "name": "Gates",
            "team": w.team.pk,
        },
    )
    assert response.status_code == 400
    assert "name" in response.context["map_form"].errors
    assert ImportProfile.objects.count() == 1


@dataclass
class Rule:
    proofs: tuple[Callable, ...] = ()
    # Why no form or serializer can break it: the only writer, and how it meets a conflict.
    service: str = ""
    # The staff admin's add form shows the error here (None: the admin cannot add this model).
    admin_error: str | None = None
    admin_row: Callable | None = None  # an existing row that holds the rule
    admin_change: dict = field(default_factory=dict)  # made to the copy so only this rule clashes
    # The admin adds the model but its form has no field for the rule: the server fills it in.
    generated: str = ""


ADMIN_ONLY = "Only staff write it, in the admin (no page or API writes it)."

RULES: dict[str, Rule] = {
    "athletes.Team.slug": Rule(service=ADMIN_ONLY, admin_error="slug"),
    "athletes.Membership.membership_once_per_role": Rule(
        service="Staff add memberships in the admin; accepting an invitation adds one with "
        "get_or_create (athletes.access.add_membership), so a role held already is kept.",
        admin_error="__all__",
    ),
    "athletes.Athlete.user": Rule(
        service="No page or API sets an athlete's login (AthleteSerializer has no user "
        "field); staff link it in the admin.",
        admin_error="user",
    ),
    "athletes.Baseline.baseline_one_per_metric_side": Rule(
        service=ADMIN_ONLY + " The demo loader writes each baseline once.",
        admin_error="__all__",
    ),
    "rehab.Protocol.protocol_template_name_unique": Rule(
        service="The shipped templates are data (migrations); staff add more in the admin. "
        "Coaches' copies always belong to a team.",
        admin_error="__all__",
        admin_row=lambda: template(),
    ),
    "rehab.Protocol.protocol_team_name_unique": Rule(
        proofs=(protocol_editor_rename, protocols_api_import_with_a_taken_name),
        service="copy_protocol picks the next free name (“… 2”), also when a concurrent copy "
        "takes one first; import_protocol answers a taken name at protocol.name.",
        admin_error="__all__",
    ),
    "rehab.Phase.phase_order_unique": Rule(
        service="The protocol editor never adds or reorders a phase (an edit-only formset "
        "of exactly the protocol's phases; tested in tests/rehab/test_protocol_editor.py); "
        "copy_protocol copies the orders of a valid protocol.",
        admin_error="__all__",
    ),
    "rehab.RetestSchedule.retest_one_per_metric": Rule(
        service="Schedules are data: the shipped ones by migration (get_or_create), a team's by "
        "copy_protocol from a valid protocol, a protocol file's by import_protocol, which "
        "refuses a metric scheduled twice in a phase at the phase's retests; staff edit them "
        "in the phase's admin page, whose inline formset refuses a duplicate row.",
    ),
    "rehab.Plan.injury": Rule(
        proofs=(
            assign_page_with_an_injury_that_has_a_plan,
            plans_api_with_an_injury_that_has_a_plan,
        ),
        admin_error="injury",
        admin_change={"status": Plan.Status.COMPLETED},
    ),
    "rehab.Plan.plan_one_active_per_athlete": Rule(
        proofs=(assign_page_with_an_active_plan, plans_api_with_an_active_plan),
        admin_error="__all__",
        admin_change={"injury": lambda row: InjuryFactory(athlete=row.athlete).pk},
    ),
    "rehab.SignOffRequest.signoff_one_pending_per_plan": Rule(
        service="request_signoff and advance_phase create requests: a pending one answers "
        "409 (SignOffConflict) on the API and a form error on the page, under the plan's row "
        "lock.",
        admin_error="__all__",
    ),
    "rehab.SignOffDecision.supersedes": Rule(
        service="decide_signoff links a decision to the one it supersedes under the request's "
        "row lock; a second decision without `supersede` answers 409. The admin cannot add "
        "decisions.",
    ),
    "athletes.ApiToken.digest": Rule(
        service="knox's AuthToken.objects.create hashes a fresh 48-byte random token; no form "
        "or serializer takes a digest.",
        generated="digest",
    ),
    "monitoring.MetricKind.code": Rule(service=ADMIN_ONLY, admin_error="code"),
    "monitoring.CheckIn.checkin_one_per_day": Rule(
        proofs=(checkins_api_second_of_the_day, history_edit_onto_a_day_that_has_one),
        service="record_checkin and correct_checkin insert or move a check-in only onto a "
        "free day (INSERT … ON CONFLICT DO NOTHING); otherwise CheckInConflict names the "
        "day's check-in: 409 on the API and the Today page, a field error on History's edit. "
        "The admin shows check-ins only (monitoring.admin.EvidenceAdmin).",
    ),
    "monitoring.CheckIn.checkin_client_key_unique": Rule(
        proofs=(today_page_same_client_key_twice,),
        service="The phone's retry key: record_checkin returns the first check-in for a key "
        "it has seen (a replay, not an error). Not added in the admin.",
    ),
    "monitoring.RecoveryActivity.recovery_client_key_unique": Rule(
        proofs=(recovery_page_same_client_key_twice,),
        service="record_recovery returns the first row for a key it has seen, also when two "
        "requests race (IntegrityError → the winner's row).",
        admin_error="__all__",
    ),
    "monitoring.TrainingSession.session_client_key_unique": Rule(
        service="No page or API sends a session's client key; record_session replays a key "
        "it has seen. Not added in the admin.",
    ),
    "monitoring.Measurement.measurement_client_key_unique": Rule(
        service="No page or API sends a measurement's client key; record_measurement replays "
        "a key it has seen. Not added in the admin.",
    ),
    "monitoring.SprintTrial.sprint_client_key_unique": Rule(
        service="No page or API sends a sprint trial's client key (the API's Idempotency-Key "
        "is the core record's); record_sprint_trial replays a key it has seen, and inserts with "
        "ON CONFLICT DO NOTHING when two requests race. Not added in the admin.",
    ),
    "athletes.ExternalId.external_id_one_per_system": Rule(
        service="athletes.services.set_external_id is the only writer: it finds the athlete's "
        "id in that system (case aside) and changes it, or removes it when the id is empty. "
        "Not in the admin.",
    ),
    "athletes.ExternalId.external_id_unique_in_team": Rule(
        proofs=(device_id_page_with_a_teammates_id,),
        service="athletes.services.set_external_id checks the team first and turns a racing "
        "IntegrityError into the same external_id error; moving an athlete to a team where "
        "the id is taken is a team error (update_athlete).",
    ),
    "monitoring.ImportProfile.import_profile_name_once": Rule(
        proofs=(import_page_saving_a_profile_name_taken,),
        service="monitoring.import_profiles.save_profile checks the name (case aside) and "
        "inserts with ON CONFLICT DO NOTHING, answering a name error. Not in the admin.",
    ),
    "monitoring.ImportBatch.import_key_once": Rule(
        service="The CSV import's one-time key: import_measurements inserts the batch with "
        "ON CONFLICT DO NOTHING and answers “already imported” (tests/monitoring/"
        "test_import_once.py). Not in the admin.",
    ),
    "monitoring.Flag.flag_one_unresolved_per_athlete_kind": Rule(
        service="Only the monitoring jobs open flags (a racing worker's IntegrityError is "
        "caught: the flag exists); people only acknowledge and resolve them.",
        admin_error="__all__",
    ),
    "monitoring.Notification.notification_once_per_flag": Rule(
        service="Only the monitoring jobs notify (bulk_create … ignore_conflicts).",
        admin_error="__all__",
    ),
    "monitoring.NotificationPreference.user": Rule(
        service="Only save_notification_preferences writes it, for the signed-in person "
        "(get_or_create: a second racing request gets the row). Not in the admin.",
    ),
    "core.IdempotencyRecord.idempotency_key_once_per_user": Rule(
        service="IdempotentCreateMixin inserts the key with ON CONFLICT DO NOTHING and replays "
        "the first response (422 for a different request). Not in the admin.",
    ),
    "monitoring.CheckinReminder.athlete": Rule(
        service="Only monitoring.reminders writes it, for the athlete of the page or the API "
        "(get_or_create under a row lock). Not in the admin.",
    ),
    "monitoring.PushSubscription.endpoint": Rule(
        service="Only monitoring.push.save_subscription writes it (update_or_create by endpoint: "
        "the browser posting an endpoint holds it). Not in the admin.",
    ),
    "monitoring.JobRun.name": Rule(
        service="Only the scheduled jobs write it (INSERT … ON CONFLICT UPDATE). Not in the admin.",
    ),
}


def test_every_unique_rule_of_our_models_has_an_entry():
    found = unique_rules()
    assert sorted(set(found) - set(RULES)) == [], "add these rules to RULES"
    assert sorted(set(RULES) - set(found)) == [], "these rules are gone: remove their entries"
    for name, rule in RULES.items():
        assert rule.proofs or rule.service, name


PROOFS = [
    pytest.param(proof, id=f"{name}-{proof.__name__}")
    for name, rule in RULES.items()
    for proof in rule.proofs
]


@pytest.mark.parametrize("proof", PROOFS)
def test_input_that_breaks_a_unique_rule_gets_a_field_error_and_stores_nothing(client, proof):
    proof(_world(), client)


# --- the staff admin: every model it adds refuses a duplicate at the form -------------------


def _default_row(model):
    team = TeamFactory()
    athlete = athlete_with_login(team)
    rows = {
        "Team": lambda: team,
        "Membership": lambda: MembershipFactory(team=team),
        "Athlete": lambda: athlete,
        "Baseline": lambda: Baseline.objects.create(
            athlete=athlete,
            metric=metric("split_30m"),
            value=4.2,
            measured_on=timezone.localdate() - dt.timedelta(days=60),
        ),
        "Protocol": lambda: copy_protocol(template(), team=team, by=staff(team)),
        "Phase": lambda: template().phases.get(order=2),
        "Plan": lambda: start_plan(athlete, 1),
        "SignOffRequest": lambda: SignOffRequest.objects.create(
            plan=start_plan(athlete, 5),
            kind=SignOffRequest.Kind.RETURN_TO_PLAY,
            target_phase=template().phases.get(order=6),
            requested_at=timezone.now(),
        ),
        "MetricKind": lambda: metric("split_30m"),
        "CheckIn": lambda: CheckInFactory(athlete=athlete, client_key=uuid.uuid4()),
        "RecoveryActivity": lambda: RecoveryActivity.objects.create(
            athlete=athlete,
            kind="massage",
            minutes=10,
            performed_on=timezone.localdate(),
            client_key=uuid.uuid4(),
        ),
        "TrainingSession": lambda: SessionFactory(athlete=athlete, client_key=uuid.uuid4()),
        "Measurement": lambda: MeasurementFactory(athlete=athlete, client_key=uuid.uuid4()),
        "Flag": lambda: FlagFactory(athlete=athlete),
        "Notification": lambda: Notification.objects.create(
            recipient=UserFactory(), flag=FlagFactory(athlete=AthleteFactory()), message="x"
        ),
    }
    return rows[model.__name__]()


def _posted(form) -> dict:
    """What the browser would post for `form` as rendered (its initial values)."""
    data = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value)
            for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else sub.format_value(part)
        elif value is None or value is False:
            continue
        elif isinstance(widget, forms.SelectMultiple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            formatted = widget.format_value(value)
            data[bound.html_name] = formatted if isinstance(formatted, str) else str(value)
    return data


ADMIN_CASES = [
    pytest.param(name, rule, id=name) for name, rule in RULES.items() if rule.admin_error
]


@pytest.mark.parametrize("name, rule", ADMIN_CASES)
def test_the_staff_admin_refuses_a_duplicate_at_the_form(name, rule):
    model, _ = unique_rules()[name]
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert model_admin.has_add_permission(request)
    row = rule.admin_row() if rule.admin_row else _default_row(model)
    form_class = model_admin.get_form(request, obj=None)
    initial = model_to_dict(row)
    for key, change in rule.admin_change.items():
        initial[key] = change(row) if callable(change) else change
    data = _posted(form_class(initial=initial))
    count = model.objects.count()
    form = form_class(data)
    assert not form.is_valid()
    assert rule.admin_error in form.errors, form.errors
    assert model.objects.count() == count


def test_every_model_the_admin_can_add_is_checked():
    """A unique rule of a model the staff admin adds needs its admin check above."""
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    for name, (model, _) in unique_rules().items():
        model_admin = admin.site._registry.get(model)
        if model_admin is not None and model_admin.has_add_permission(request):
            rule = RULES[name]
            if rule.generated:
                form_class = model_admin.get_form(request, obj=None)
                assert rule.generated not in form_class.base_fields, f"{name}: the admin sets it"
                continue
            assert rule.admin_error, f"{name}: say where the admin shows the error"
