"""Protocol templates cite their evidence, export to and import from a versioned JSON file,
and keep a change log (issue 19, item 5).

A template exported, changed and imported as a new team protocol comes back equal, its
citations with it; a malformed file or one of a newer version is refused with a clear
message and stores nothing; an outsider reaches neither the file nor the import."""

import copy
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from athletes.models import Role
from rehab.models import Citation, GateCriterion, Protocol, ProtocolChange
from rehab.protocol_format import FORMAT, VERSION, export_document, import_protocol
from rehab.services import copy_protocol
from tests.factories import MembershipFactory, template
from tests.rehab.test_protocol_editor import form_data

pytestmark = pytest.mark.django_db

DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def without_time(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


def stored_rows() -> tuple:
    return (Protocol.objects.count(), GateCriterion.objects.count(), Citation.objects.count())


# --- the shipped templates' citations -----------------------------------------------------------


@pytest.mark.parametrize("muscle_group", ["hamstring", "calf"])
def test_every_threshold_of_a_shipped_template_says_where_it_comes_from(muscle_group):
    shipped = template(muscle_group)
    rules = set(shipped.citations.filter(gate=None).values_list("rule", flat=True))
    assert rules == {"pain_threshold", "pain_persist_hours", "missed_checkin_days"}
    gates = GateCriterion.objects.filter(phase__protocol=shipped)
    assert gates.exists() and not gates.filter(citations=None).exists()
    for citation in shipped.citations.all():
        assert citation.doi or citation.strength == "no_primary_source", citation.note
        assert not citation.doi or DOI.match(citation.doi), citation.doi
        assert 0 < len(citation.note) <= 200 and "\n" not in citation.note


def test_weak_numbers_say_no_primary_source_was_found():
    shipped = template()
    top_speed = Citation.objects.get(
        gate__phase__protocol=shipped, gate__phase__order=4, gate__metric__code="peak_velocity"
    )
    assert top_speed.strength == "no_primary_source" and not top_speed.link
    assert "No primary source" in top_speed.note
    hours = shipped.citations.get(rule="pain_persist_hours")
    assert hours.strength == "no_primary_source"
    calf_raises = Citation.objects.filter(
        gate__phase__protocol=template("calf"), gate__kind="metric_threshold"
    ).get()
    assert calf_raises.doi == "10.1186/s40798-021-00364-0" and "30" in calf_raises.note


def test_a_copy_for_a_team_keeps_the_citations_on_its_own_gates(team, coach):
    shipped = template("calf")
    mine = copy_protocol(shipped, team=team, by=coach)
    assert mine.citations.count() == shipped.citations.count()
    assert not Citation.objects.filter(protocol=mine, gate__phase__protocol=shipped).exists()
    change = ProtocolChange.objects.get(protocol=mine)
    assert change.kind == "copy" and change.changed_by == coach


def test_the_protocol_page_shows_each_citation_beside_its_number(client, team, coach):
    mine = copy_protocol(template(), team=team, by=coach)
    client.force_login(coach)
    page = client.get(reverse("coach:protocol", args=[mine.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="https://doi.org/10.2519/jospt.2020.8895" rel="noopener noreferrer"' in html
    assert "No primary source was found for ≥ 95 % of pre-injury top speed" in html
    assert "Copied from “Hamstring return to sprint”" in html  # the change log
    shipped = client.get(reverse("coach:protocol", args=[template().pk]))
    assert shipped.status_code == 200 and "10.1136/bjsports-2014-094569" in shipped.content.decode()


# --- the round trip -----------------------------------------------------------------------------


def test_a_template_exported_changed_and_imported_comes_back_equal(team, coach):
    shipped = template()
    exported = api(coach).get(f"/api/v1/protocols/{shipped.pk}/export/")
    assert exported.status_code == 200
    document = exported.json()
    assert (document["format"], document["version"]) == (FORMAT, VERSION)
    assert len(document["protocol"]["citations"]) == 3
    changed = copy.deepcopy(document)
    body = changed["protocol"]
    body["name"] = "Hamstring, our numbers"
    body["pain_threshold"] = 4
    gate = body["phases"][3]["gates"][3]
    assert gate["metric"] == "knee_flexor_strength"
    gate["threshold"] = 92
    gate["citations"].append(
        {
            "doi": "",
            "url": "https://example.org/our-audit",
            "note": "Our club's audit of 2025",
            "strength": "cohort",
        }
    )
    response = api(coach).post("/api/v1/protocols/import/", changed, format="json")
    assert response.status_code == 201, response.content
    imported = Protocol.objects.get(pk=response.json()["id"])
    assert imported.team == team and not imported.is_template
    again = export_document(imported)
    assert without_time(again) == without_time(changed)
    assert imported.citations.count() == shipped.citations.count() + 1
    assert ProtocolChange.objects.get(protocol=imported).kind == "import"
    # The API's protocol shows the citations too.
    shown = api(coach).get(f"/api/v1/protocols/{imported.pk}/").json()
    assert {c["rule"] for c in shown["rule_citations"]} == {
        "pain_threshold",
        "pain_persist_hours",
        "missed_checkin_days",
    }
    assert shown["phases"][3]["gates"][3]["citations"][-1]["link"] == (
        "https://example.org/our-audit"
    )


def test_the_import_takes_another_name_and_refuses_a_name_the_team_has(team, coach):
    mine = copy_protocol(template(), team=team, by=coach, name="Ours")
    document = export_document(mine)
    before = stored_rows()
    clash = api(coach).post("/api/v1/protocols/import/", document, format="json")
    assert clash.status_code == 400
    message = "Your team already has a protocol named “Ours”. Choose another name."
    assert clash.json()["protocol"]["name"] == [message]
    assert clash.json()["paths"] == {"protocol.name": [message]}
    assert stored_rows() == before
    renamed = api(coach).post("/api/v1/protocols/import/?name=Ours%202", document, format="json")
    assert renamed.status_code == 201 and renamed.json()["name"] == "Ours 2"


# --- refused files ------------------------------------------------------------------------------


def test_a_file_of_a_newer_version_is_refused_with_its_version(coach):
    document = export_document(template())
    document["version"] = 2
    document["protocol"]["phases"] = "read differently in version 2"
    before = stored_rows()
    response = api(coach).post("/api/v1/protocols/import/", document, format="json")
    assert response.status_code == 400
    message = "This file is format version 2; this server reads up to 1."
    assert response.json()["version"] == [message]
    assert stored_rows() == before


def test_a_malformed_file_gets_its_errors_by_json_path_and_stores_nothing(coach):
    document = export_document(template())
    body = document["protocol"]
    body["pain_threshold"] = 11
    body["phases"][1]["max_velocity_pct"] = 130
    body["phases"][1]["gates"][3]["metric"] = "knee_bending"
    body["phases"][2]["gates"][0]["threshold"] = None  # a pain gate needs one
    body["phases"][2]["gates"][0]["kind"] = "pain"
    body["citations"][0]["doi"] = "jospt.2020.8895"
    body["phases"][0]["gates"][0]["citations"][0]["strength"] = "hearsay"
    before = stored_rows()
    response = api(coach).post("/api/v1/protocols/import/", document, format="json")
    assert response.status_code == 400
    paths = response.json()["paths"]
    assert set(paths) == {
        "protocol.pain_threshold",
        "protocol.phases[1].max_velocity_pct",
        "protocol.phases[1].gates[3].metric",
        "protocol.phases[2].gates[0].threshold",
        "protocol.citations[0].doi",
        "protocol.phases[0].gates[0].citations[0].strength",
    }, paths
    assert paths["protocol.phases[1].gates[3].metric"] == [
        "No metric has the code “knee_bending” (GET /api/v1/metrics/ lists them)."
    ]
    assert paths["protocol.citations[0].doi"] == [
        "Enter a DOI as 10.NNNN/…, for example 10.2519/jospt.2020.8895."
    ]
    assert paths["protocol.phases[2].gates[0].threshold"] == [
        "This kind of gate needs a threshold."
    ]
    # The same errors in the file's own shape (rows keyed by their index, as DRF does).
    assert response.json()["protocol"]["phases"]["1"]["gates"]["3"]["metric"]
    assert stored_rows() == before


@pytest.mark.parametrize(
    "document, path, words",
    [
        ({"format": "something.else", "version": 1}, "format", "not a Sprintback protocol file"),
        ([1, 2, 3], "$", "Expected a dictionary"),
        ({"format": FORMAT, "version": True}, "version", "valid integer"),
        ({"format": FORMAT, "version": 1, "protocol": {"phases": []}}, "protocol.phases", ""),
    ],
)
def test_a_file_that_is_not_a_protocol_is_refused_at_its_place(coach, document, path, words):
    before = stored_rows()
    response = api(coach).post("/api/v1/protocols/import/", document, format="json")
    assert response.status_code == 400, response.content
    paths = response.json()["paths"]
    assert path in paths and words in " ".join(paths[path]), paths
    assert stored_rows() == before


def test_hostile_values_in_a_file_are_field_errors_never_a_500(coach):
    document = export_document(template())
    gate = document["protocol"]["phases"][1]["gates"][0]
    hostile = [
        ("window", 2**70),
        ("window", "NaN"),
        ("threshold", "1e309"),
        ("threshold", [1]),
        ("kind", {"a": 1}),
        ("description", "x" * 5000),
        ("order", -1),
    ]
    for field, value in hostile:
        sent = copy.deepcopy(document)
        sent["protocol"]["phases"][1]["gates"][0][field] = value
        sent["protocol"]["name"] = "Hostile"
        response = api(coach).post("/api/v1/protocols/import/", sent, format="json")
        assert response.status_code == 400, (field, value, response.content)
        assert f"protocol.phases[1].gates[0].{field}" in response.json()["paths"], (field, value)
    raw = (
        '{"format": "sprintback.protocol", "version": 1, "protocol": {"name": "Inf", '
        '"pain_threshold": 1e309}}'
    )
    response = api(coach).generic(
        "POST", "/api/v1/protocols/import/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert "protocol.pain_threshold" in response.json()["paths"]
    assert gate  # the untouched document was valid
    assert not Protocol.objects.filter(name__in=["Hostile", "Inf"]).exists()


# --- who may ------------------------------------------------------------------------------------


def test_an_outsider_cannot_export_or_view_a_teams_protocol(client, world):
    mine = copy_protocol(template(), team=world.team, by=world.coach)
    outsider = world.outsider_coach
    assert api(outsider).get(f"/api/v1/protocols/{mine.pk}/export/").status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("coach:protocol", args=[mine.pk])).status_code == 404
    assert client.get(reverse("coach:protocol-export", args=[mine.pk])).status_code == 404
    # The shipped templates are everyone's.
    assert api(outsider).get(f"/api/v1/protocols/{template().pk}/export/").status_code == 200


def test_only_a_coach_imports_and_only_into_a_team_they_coach(world):
    document = export_document(template())
    document["protocol"]["name"] = "Imported"
    clinician = api(world.clinician).post("/api/v1/protocols/import/", document, format="json")
    assert clinician.status_code == 403
    athlete = api(world.athlete.user).post("/api/v1/protocols/import/", document, format="json")
    assert athlete.status_code == 403
    elsewhere = api(world.coach).post(
        f"/api/v1/protocols/import/?team={world.other_team.pk}", document, format="json"
    )
    assert elsewhere.status_code == 400 and "team" in elsewhere.json()
    with pytest.raises(Exception, match="Only a coach"):
        import_protocol(document, team=world.other_team, by=world.coach)
    assert not Protocol.objects.filter(name="Imported").exists()


def test_a_coach_of_two_teams_says_which_one(world):
    MembershipFactory(user=world.coach, team=world.other_team, role=Role.COACH)
    document = export_document(template())
    unclear = api(world.coach).post("/api/v1/protocols/import/", document, format="json")
    assert unclear.status_code == 400 and "several teams" in unclear.json()["team"][0]
    chosen = api(world.coach).post(
        f"/api/v1/protocols/import/?team={world.other_team.pk}", document, format="json"
    )
    assert chosen.status_code == 201
    assert Protocol.objects.get(pk=chosen.json()["id"]).team == world.other_team


# --- the pages: download, upload ----------------------------------------------------------------


def test_the_page_downloads_the_file_and_uploads_it_as_a_new_protocol(client, team, coach):
    client.force_login(coach)
    download = client.get(reverse("coach:protocol-export", args=[template("calf").pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    upload = io.BytesIO(download.content)
    upload.name = "calf.json"
    url = reverse("coach:protocol-import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": upload, "team": team.pk, "name": "Calf, uploaded"})
    imported = Protocol.objects.get(team=team, name="Calf, uploaded")
    assert response.status_code == 302 and response.url == reverse(
        "coach:protocol", args=[imported.pk]
    )
    assert imported.citations.count() == template("calf").citations.count()


def test_the_upload_lists_a_files_errors_by_place_and_saves_nothing(client, team, coach, clinician):
    client.force_login(coach)
    url = reverse("coach:protocol-import")
    before = stored_rows()
    bad = io.BytesIO(b'{"format": "sprintback.protocol", "version": 7}')
    bad.name = "new.json"
    newer = client.post(url, {"file": bad, "team": team.pk})
    assert newer.status_code == 400
    assert "This file is format version 7; this server reads up to 1." in newer.content.decode()
    broken = io.BytesIO(b'{"format": ')
    broken.name = "broken.json"
    page = client.post(url, {"file": broken, "team": team.pk})
    assert page.status_code == 400 and "not valid JSON" in page.content.decode()
    assert stored_rows() == before
    client.force_login(clinician)
    assert client.get(url).status_code == 403


# --- the change log -----------------------------------------------------------------------------


def test_an_edit_is_kept_in_the_change_log_with_who_and_what(client, team, coach):
    mine = copy_protocol(template(), team=team, by=coach)
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[mine.pk])
    data = form_data(client.get(url))
    data["protocol-pain_threshold"] = 4
    pain = GateCriterion.objects.get(phase__protocol=mine, phase__order=0, kind="pain")
    prefix = next(
        k.removesuffix("-id")
        for k, v in data.items()
        if k.startswith("gates-0-") and k.endswith("-id") and str(v) == str(pain.pk)
    )
    data[f"{prefix}-DELETE"] = "on"
    new = f"citations-{data['citations-TOTAL_FORMS']}"
    data["citations-TOTAL_FORMS"] = int(data["citations-TOTAL_FORMS"]) + 1
    data.update(
        {
            f"{new}-target": "rule:missed_checkin_days",
            f"{new}-doi": "https://doi.org/10.1136/bjsports-2014-094569",
            f"{new}-note": "Our reading of StARRT",
            f"{new}-strength": "expert_consensus",
            f"{new}-order": 1,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["citation_forms"]
    ]
    added = mine.citations.get(note="Our reading of StARRT")
    assert added.doi == "10.1136/bjsports-2014-094569"  # the link's DOI
    change = mine.changes.get(kind="edit")
    assert change.changed_by == coach
    entries = {e["what"]: (e["before"], e["after"]) for e in change.changes}
    assert entries["pain_threshold"] == ("3", "4")
    assert any(w.startswith("Phase 0, gate “Worst pain") and "removed" in w for w in entries)
    assert "Citation of missed_checkin_days added" in entries
    # Its citation went with the deleted gate.
    assert not Citation.objects.filter(gate_id=pain.pk).exists()
    page = client.get(reverse("coach:protocol", args=[mine.pk])).content.decode()
    assert "pain_threshold: 3 → 4" in page and "Edited in the protocol editor" in page
    # Saving again unchanged adds no entry.
    client.post(url, form_data(client.get(url)))
    assert mine.changes.filter(kind="edit").count() == 1


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"doi": "doi.org/10.1/x"}, "doi", "Enter a DOI as 10.NNNN/…"),
        ({"url": "ftp://example.org/paper"}, "url", "starting with http:// or https://"),
        ({"url": "javascript:alert(1)"}, "url", "starting with http:// or https://"),
        ({"note": "line one\r\nline two"}, "note", "Keep the note to one line."),
        ({"note": "x" * 201}, "note", "at most 200 characters"),
        ({"doi": "", "strength": "rct"}, "doi", "Give a DOI or a web address"),
    ],
)
def test_a_bad_citation_is_a_field_error_and_nothing_is_saved(
    client, team, coach, values, field, message
):
    mine = copy_protocol(template(), team=team, by=coach)
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[mine.pk])
    data = form_data(client.get(url))
    data["protocol-pain_threshold"] = 5
    citation = mine.citations.get(rule="pain_threshold")
    prefix = next(
        k.removesuffix("-id")
        for k, v in data.items()
        if k.startswith("citations-") and k.endswith("-id") and str(v) == str(citation.pk)
    )
    for name, value in values.items():
        data[f"{prefix}-{name}"] = value
    response = client.post(url, data)
    assert response.status_code == 400
    errors = [f.errors for f in response.context["citation_forms"] if f.errors]
    assert len(errors) == 1 and message in " ".join(errors[0][field]), errors
    mine.refresh_from_db()
    citation.refresh_from_db()
    assert mine.pain_threshold == 3 and citation.doi == "10.2519/jospt.2020.8895"
    assert not mine.changes.filter(kind="edit").exists()


def test_a_change_in_the_admin_is_kept_too(client, team, coach, admin_user):
    mine = copy_protocol(template(), team=team, by=coach)
    client.force_login(admin_user)
    gate = GateCriterion.objects.filter(phase__protocol=mine, kind="min_days").first()
    url = reverse("admin:rehab_gatecriterion_change", args=[gate.pk])
    response = client.post(
        url,
        {
            "phase": gate.phase_id,
            "kind": gate.kind,
            "metric": "",
            "threshold": 21,
            "window": "",
            "description": gate.description,
            "order": gate.order,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    change = mine.changes.get(kind="admin")
    assert change.changed_by == admin_user
    assert [e["after"] for e in change.changes] == ["21.0"]


# --- what the export costs ----------------------------------------------------------------------


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_size(team, coach):
    small = copy_protocol(template(), team=team, by=coach, name="Small")
    GateCriterion.objects.filter(phase__protocol=small, phase__order__gt=0).delete()
    large = template("calf")
    client = api(coach)
    counts = []
    for protocol in (small, large):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/protocols/{protocol.pk}/export/").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 10, counts
    with CaptureQueriesContext(connection) as captured:
        export_document(large)
    assert (
        len(captured.captured_queries) == 6
    )  # protocol, phases, re-tests, gates, citations, rules


def test_a_citation_cannot_cite_another_protocols_gate(client, team, coach):
    mine = copy_protocol(template(), team=team, by=coach)
    elsewhere = GateCriterion.objects.filter(phase__protocol=template("calf")).first()
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[mine.pk])
    data = form_data(client.get(url))
    new = f"citations-{data['citations-TOTAL_FORMS']}"
    data["citations-TOTAL_FORMS"] = int(data["citations-TOTAL_FORMS"]) + 1
    data.update(
        {
            f"{new}-target": f"gate:{elsewhere.pk}",
            f"{new}-note": "Tampered",
            f"{new}-strength": "no_primary_source",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 400
    assert not Citation.objects.filter(note="Tampered").exists()


def test_the_protocol_page_reads_a_fixed_number_of_queries_whatever_the_size(client, team, coach):
    small = copy_protocol(template(), team=team, by=coach, name="Small")
    GateCriterion.objects.filter(phase__protocol=small, phase__order__gt=0).delete()
    large = copy_protocol(template("calf"), team=team, by=coach, name="Large")
    client.force_login(coach)
    counts = []
    for protocol in (small, large):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("coach:protocol", args=[protocol.pk])).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_editors_citation_rows_cost_no_query_each(client, team, coach):
    mine = copy_protocol(template(), team=team, by=coach)
    client.force_login(coach)
    url = reverse("coach:protocol-edit", args=[mine.pk])
    client.get(url)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
        Citation.objects.bulk_create(
            Citation(
                protocol=mine, rule="pain_threshold", note=f"n{n}", strength="no_primary_source"
            )
            for n in range(10)
        )
    assert counts[0] == counts[1], counts
