"""Staff copy a protocol template for their team and edit its phases and gate criteria."""

import pytest
from django.urls import reverse

from athletes.models import Role
from rehab.models import GateCriterion, Protocol
from rehab.services import copy_protocol
from tests.factories import TeamFactory, athlete_with_login, metric, staff, template

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The edit page's current values, as the browser would post them back."""
    data = {}
    forms = [response.context["form"]]
    formsets = [response.context["phase_forms"]] + [g for _, g in response.context["sections"]]
    formsets.append(response.context["citation_forms"])
    for formset in formsets:
        mgmt = formset.management_form
        for name in mgmt.fields:
            data[mgmt.add_prefix(name)] = mgmt[name].value()
        forms += [f for f in formset.forms if f.instance.pk]
    for f in forms:
        for name in f.fields:
            value = f[name].value()
            if value is None or value is False:
                continue
            data[f.add_prefix(name)] = value
    # Only existing gates are posted back: the empty extra forms stay empty.
    for formset in formsets[1:]:
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = len(
            [f for f in formset.forms if f.instance.pk]
        )
    return data


def test_copy_a_template_for_the_team(client, team, coach):
    client.force_login(coach)
    source = template("calf")
    response = client.post(reverse("coach:protocol-copy", args=[source.pk]), {"team": team.pk})
    copy = Protocol.objects.get(team=team)
    assert response.url == reverse("coach:protocol-edit", args=[copy.pk])
    assert copy.based_on == source and copy.name == "Calf return to sprint (Riverside)"
    assert copy.phases.count() == 7
    assert (
        GateCriterion.objects.filter(phase__protocol=copy).count()
        == GateCriterion.objects.filter(phase__protocol=source).count()
    )
    again = copy_protocol(source, team=team, by=coach)
    assert again.name == "Calf return to sprint (Riverside) 2"


def test_edit_thresholds_phases_and_gates(client, team, coach):
    copy = copy_protocol(template(), team=team, by=coach)
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[copy.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data["protocol-pain_threshold"] = 4
    data["phases-1-max_velocity_pct"] = 65
    lsi = GateCriterion.objects.get(phase__protocol=copy, phase__order=1, kind="lsi")
    prefix = next(
        k.removesuffix("-id")
        for k, v in data.items()
        if k.startswith("gates-1-") and k.endswith("-id") and str(v) == str(lsi.pk)
    )
    data[f"{prefix}-threshold"] = 85
    pain = GateCriterion.objects.get(phase__protocol=copy, phase__order=0, kind="pain")
    pain_prefix = next(
        k.removesuffix("-id")
        for k, v in data.items()
        if k.startswith("gates-0-") and k.endswith("-id") and str(v) == str(pain.pk)
    )
    data[f"{pain_prefix}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        g.errors for _, g in response.context["sections"]
    ]
    copy.refresh_from_db()
    assert copy.pain_threshold == 4
    assert copy.phases.get(order=1).max_velocity_pct == 65
    lsi.refresh_from_db()
    assert lsi.threshold == 85
    assert not GateCriterion.objects.filter(pk=pain.pk).exists()
    # The template itself is untouched.
    assert template().phases.get(order=1).max_velocity_pct == 70


def test_a_gate_without_its_metric_is_a_field_error_and_nothing_is_saved(client, team, coach):
    copy = copy_protocol(template(), team=team, by=coach)
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[copy.pk])
    data = form_data(client.get(url))
    data["protocol-pain_threshold"] = 5
    data["gates-2-TOTAL_FORMS"] = int(data["gates-2-TOTAL_FORMS"]) + 1
    new = f"gates-2-{data['gates-2-TOTAL_FORMS'] - 1}"
    data.update({f"{new}-kind": "lsi", f"{new}-threshold": "90", f"{new}-order": 9})
    response = client.post(url, data)
    assert response.status_code == 400
    gates = response.context["sections"][2][1]
    assert any("metric" in f.errors for f in gates.forms)
    copy.refresh_from_db()
    assert copy.pain_threshold == 3  # nothing saved
    data[f"{new}-metric"] = metric("knee_flexor_strength").pk
    assert client.post(url, data).status_code == 302
    assert GateCriterion.objects.filter(phase__protocol=copy, phase__order=2, order=9).exists()


@pytest.mark.parametrize(
    "field, value", [("protocol-pain_threshold", 0), ("phases-0-max_velocity_pct", 150)]
)
def test_out_of_range_values_are_field_errors(client, team, coach, field, value):
    copy = copy_protocol(template(), team=team, by=coach)
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[copy.pk])
    data = form_data(client.get(url))
    data[field] = value
    assert client.post(url, data).status_code == 400


def test_templates_and_other_teams_protocols_cannot_be_edited(client, team, coach):
    other_team = TeamFactory()
    other_coach = staff(other_team, Role.COACH)
    theirs = copy_protocol(template(), team=other_team, by=other_coach)
    client.force_login(coach)
    assert client.get(reverse("coach:protocol-edit", args=[template().pk])).status_code == 404
    assert client.get(reverse("coach:protocol-edit", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("coach:protocol-copy", args=[theirs.pk]), {"team": team.pk}).status_code
        == 404
    )
    client.post(reverse("coach:protocol-copy", args=[template().pk]), {"team": other_team.pk})
    assert not Protocol.objects.filter(team=other_team).exclude(pk=theirs.pk).exists()


def test_clinicians_and_athletes_cannot_edit(client, team, coach):
    copy = copy_protocol(template(), team=team, by=coach)
    client.force_login(staff(team, Role.CLINICIAN))
    assert client.get(reverse("coach:protocol-edit", args=[copy.pk])).status_code == 404
    assert client.get(reverse("coach:protocols")).status_code == 200
    client.force_login(athlete_with_login(team).user)
    assert client.get(reverse("coach:protocols")).status_code == 403


# --- tampered management data: a form error on the page, never a 500, nothing stored --------


def _edit_page(client, team, coach):
    copy = copy_protocol(template(), team=team, by=coach)
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[copy.pk])
    return copy, url, form_data(client.get(url))


def _nothing_saved(copy, phases_before, gates_before):
    copy.refresh_from_db()
    assert copy.pain_threshold == 3
    assert list(copy.phases.values_list("pk", "order", "name")) == phases_before
    assert GateCriterion.objects.filter(phase__protocol=copy).count() == gates_before


def _snapshot(copy):
    return (
        list(copy.phases.values_list("pk", "order", "name")),
        GateCriterion.objects.filter(phase__protocol=copy).count(),
    )


def _extra_phase_form(data, index):
    data.update(
        {
            f"phases-{index}-name": "Smuggled phase",
            f"phases-{index}-allowed_intensity": "all out",
            f"phases-{index}-max_velocity_pct": 100,
            f"phases-{index}-typical_days_min": 1,
            f"phases-{index}-typical_days_max": 2,
        }
    )


@pytest.mark.parametrize("total", ["8", "100000000"])
def test_more_phase_forms_than_phases_is_a_form_error_and_nothing_is_saved(
    client, team, coach, total
):
    copy, url, data = _edit_page(client, team, coach)
    before = _snapshot(copy)
    data["protocol-pain_threshold"] = 5
    data["phases-TOTAL_FORMS"] = total  # the protocol has 7 phases
    _extra_phase_form(data, 7)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "The form sent more rows than the page had" in response.content.decode()
    _nothing_saved(copy, *before)


@pytest.mark.parametrize(
    "tamper",
    [
        {"phases-TOTAL_FORMS": "6"},
        {"phases-TOTAL_FORMS": "-1"},
        {"phases-TOTAL_FORMS": "seven"},
        {"phases-INITIAL_FORMS": "0"},
        {"phases-INITIAL_FORMS": "100000000"},
        {"phases-0-id": "999999999"},
        {"phases-0-id": "x"},
    ],
)
def test_phase_forms_that_do_not_match_the_protocol_are_a_form_error(client, team, coach, tamper):
    copy, url, data = _edit_page(client, team, coach)
    before = _snapshot(copy)
    data["protocol-pain_threshold"] = 5
    data.update(tamper)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Reload the page and try again; nothing was saved." in response.content.decode()
    # Every phase is still shown, each with its own gates.
    sections = response.context["sections"]
    assert [f.instance.order for f, _ in sections] == list(range(7))
    _nothing_saved(copy, *before)


def test_another_protocols_phase_id_is_a_form_error(client, team, coach):
    copy, url, data = _edit_page(client, team, coach)
    before = _snapshot(copy)
    other = copy_protocol(template("calf"), team=team, by=coach)
    data["phases-0-id"] = other.phases.get(order=0).pk
    data["phases-0-name"] = "Hijacked"
    assert client.post(url, data).status_code == 400
    _nothing_saved(copy, *before)
    assert other.phases.get(order=0).name != "Hijacked"


@pytest.mark.parametrize("total", ["21", "100000000"])
def test_more_gate_forms_than_allowed_is_a_form_error_and_nothing_is_saved(
    client, team, coach, total
):
    copy, url, data = _edit_page(client, team, coach)
    before = _snapshot(copy)
    data["gates-2-TOTAL_FORMS"] = total
    for i in range(int(data["gates-2-INITIAL_FORMS"]), 21):
        data.update(
            {
                f"gates-2-{i}-kind": "min_days",
                f"gates-2-{i}-threshold": "3",
                f"gates-2-{i}-order": i,
            }
        )
    response = client.post(url, data)
    assert response.status_code == 400
    assert "A phase has at most 20 gates." in response.content.decode()
    _nothing_saved(copy, *before)


def test_a_few_new_gates_at_once_are_still_saved(client, team, coach):
    copy, url, data = _edit_page(client, team, coach)
    initial = int(data["gates-2-INITIAL_FORMS"])
    data["gates-2-TOTAL_FORMS"] = initial + 2
    for i in (initial, initial + 1):
        data.update(
            {
                f"gates-2-{i}-kind": "min_days",
                f"gates-2-{i}-threshold": "3",
                f"gates-2-{i}-order": i,
            }
        )
    assert client.post(url, data).status_code == 302
    assert copy.phases.get(order=2).gates.filter(kind="min_days").count() >= 2


def test_garbage_gate_management_data_is_a_form_error(client, team, coach):
    copy, url, data = _edit_page(client, team, coach)
    before = _snapshot(copy)
    data["gates-3-TOTAL_FORMS"] = "lots"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "The form arrived incomplete." in response.content.decode()
    _nothing_saved(copy, *before)


# --- the team's protocol names are unique: a field error, not an IntegrityError ------------------


def test_renaming_a_protocol_to_a_name_the_team_uses_is_a_field_error(client, team, coach):
    first = copy_protocol(template(), team=team, by=coach)
    copy, url, data = _edit_page(client, team, coach)
    data["protocol-name"] = first.name
    data["protocol-pain_threshold"] = 5
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        f"Your team already has a protocol named “{first.name}”. Choose another name."
    ]
    copy.refresh_from_db()
    assert copy.name != first.name and copy.pain_threshold == 3


def test_another_teams_protocol_name_and_the_templates_name_are_free(client, team, coach):
    other_team = TeamFactory()
    theirs = copy_protocol(template(), team=other_team, by=staff(other_team, Role.COACH))
    copy, url, data = _edit_page(client, team, coach)
    for name in (theirs.name, template().name, copy.name):
        data["protocol-name"] = name
        assert client.post(url, data).status_code == 302
        copy.refresh_from_db()
        assert copy.name == name
