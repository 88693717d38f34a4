"""The protocol editor: the protocols a coach can read, copying one to a team, and editing a
team's own (thresholds, phases, each phase's gate criteria)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from athletes.access import editable_protocols, protocols_for, staff_required, teams_for
from athletes.models import Role

from . import gate_summary, protocol_log, services
from .forms import (
    CitationFormSet,
    GateFormSet,
    PhaseFormSet,
    ProtocolForm,
    ProtocolImportForm,
    rule_label,
)
from .models import RULE_THRESHOLDS, GateCriterion, Protocol, ProtocolChange, RetestSchedule
from .protocol_format import DocumentError, export_document, import_protocol
from .views import positive_int


@staff_required
def protocol_list(request):
    coach_teams = list(teams_for(request.user, [Role.COACH]))
    protocols = (
        protocols_for(request.user, Protocol.objects.all())
        .select_related("team", "based_on")
        .order_by("team__name", "muscle_group", "name")
    )
    return render(
        request,
        "coach/protocols.html",
        {
            "protocols": protocols,
            "coach_teams": coach_teams,
            "coach_team_ids": {t.pk for t in coach_teams},
        },
    )


@staff_required
@require_POST
def protocol_copy(request, protocol_pk):
    protocol = get_object_or_404(
        protocols_for(request.user, Protocol.objects.all()), pk=protocol_pk
    )
    team = (
        teams_for(request.user, [Role.COACH])
        .filter(pk=positive_int(request.POST.get("team"), 0))
        .first()
    )
    if team is None:
        messages.error(request, _("Choose one of the teams you coach."))
        return redirect("coach:protocols")
    try:
        copy = services.copy_protocol(protocol, team=team, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
        return redirect("coach:protocols")
    messages.success(
        request, _("Copied as “%(name)s”. Edit its phases and gates below.") % {"name": copy.name}
    )
    return redirect("coach:protocol-edit", copy.pk)


@staff_required
def protocol_edit(request, protocol_pk):
    """Edit a team's protocol: its thresholds, its phases, and each phase's gate criteria.
    Shipped templates are not edited here (copy one first)."""
    protocol = get_object_or_404(
        editable_protocols(request.user, Protocol.objects.all()), pk=protocol_pk
    )
    data = request.POST if request.method == "POST" else None
    # As stored, before the forms touch the instance: the change log compares with it.
    before = protocol_log.snapshot(protocol.pk) if data is not None else None
    form = ProtocolForm(data, instance=protocol, prefix="protocol")
    phases = list(protocol.phases.order_by("order"))
    phase_forms = PhaseFormSet(data, queryset=protocol.phases.order_by("order"), prefix="phases")
    gate_sets = [GateFormSet(data, instance=p, prefix=f"gates-{p.order}") for p in phases]
    citation_forms = CitationFormSet(data, instance=protocol, prefix="citations")
    # Validate every part (no short-circuit), so all errors show at once.
    valid = data is not None and all(
        [
            form.is_valid(),
            phase_forms.is_valid(),
            *[g.is_valid() for g in gate_sets],
            citation_forms.is_valid(),
        ]
    )
    if valid:
        try:
            with transaction.atomic():
                form.save()
                phase_forms.save()
                # Citations before gates: one citing a gate deleted here goes with it.
                citation_forms.save()
                for gates in gate_sets:
                    gates.save()
                protocol_log.record_edit(
                    protocol, before, by=request.user, kind=ProtocolChange.Kind.EDIT
                )
                gate_summary.queue_protocol(protocol.pk)
        except IntegrityError:
            # Another coach took the name between validation and saving.
            if not form.name_taken():
                raise
            form.add_error("name", form.name_taken_message())
        else:
            messages.success(request, _("Protocol saved."))
            return redirect("coach:protocol-edit", protocol.pk)
    phase_errors = phase_forms.non_form_errors() if data is not None else []
    shown = {f.instance.pk: f for f in phase_forms.forms}
    if len(phase_forms.forms) != len(phases) or set(shown) != {p.pk for p in phases}:
        # The post did not match the protocol's phases (tampered or stale): show the phases
        # as stored, under the formset's error.
        phase_forms = PhaseFormSet(queryset=protocol.phases.order_by("order"), prefix="phases")
        shown = {f.instance.pk: f for f in phase_forms.forms}
    sections = [(shown[p.pk], gates) for p, gates in zip(phases, gate_sets, strict=True)]
    return render(
        request,
        "coach/protocol_edit.html",
        {
            "protocol": protocol,
            "form": form,
            "phase_forms": phase_forms,
            "phase_errors": phase_errors,
            "sections": sections,
            "citation_forms": citation_forms,
        },
        status=400 if data is not None else 200,
    )


@staff_required
def protocol_detail(request, protocol_pk):
    """A protocol as it reads: its rule thresholds and every phase's gates, each with the
    citations of its number beside it, and (for a team's own) its change log."""
    protocol = get_object_or_404(
        protocols_for(request.user, Protocol.objects.select_related("team", "based_on")),
        pk=protocol_pk,
    )
    phases = list(
        protocol.phases.order_by("order").prefetch_related(
            Prefetch(
                "gates",
                queryset=GateCriterion.objects.select_related("metric").prefetch_related(
                    "citations"
                ),
            ),
            Prefetch("retests", queryset=RetestSchedule.objects.select_related("metric")),
        )
    )
    cited = {}
    for citation in protocol.citations.filter(gate=None):
        cited.setdefault(citation.rule, []).append(citation)
    rules = [
        (rule_label(rule), getattr(protocol, rule), cited.get(rule, [])) for rule in RULE_THRESHOLDS
    ]
    changes = protocol.changes.select_related("changed_by")[:50]
    editable = editable_protocols(request.user, Protocol.objects.filter(pk=protocol.pk)).exists()
    return render(
        request,
        "coach/protocol_detail.html",
        {
            "protocol": protocol,
            "rules": rules,
            "phases": phases,
            "changes": changes,
            "editable": editable,
        },
    )


@staff_required
def protocol_export(request, protocol_pk):
    """The protocol file to download (the same as GET /api/v1/protocols/{id}/export/)."""
    protocol = get_object_or_404(
        protocols_for(request.user, Protocol.objects.all()), pk=protocol_pk
    )
    response = JsonResponse(export_document(protocol), json_dumps_params={"indent": 2})
    filename = slugify(protocol.name) or "protocol"
    response["Content-Disposition"] = f'attachment; filename="{filename}.sprintback.json"'
    return response


@staff_required
def protocol_import(request):
    """Upload a protocol file: it becomes a new protocol of a team the user coaches
    (rehab.protocol_format.import_protocol; its errors listed by JSON path)."""
    coach_teams = list(teams_for(request.user, [Role.COACH]))
    if not coach_teams:
        raise PermissionDenied(_("Only a coach of a team can import a protocol for it."))
    form = ProtocolImportForm(request.POST or None, request.FILES or None, teams=coach_teams)
    paths = {}
    if request.method == "POST" and form.is_valid():
        try:
            protocol = import_protocol(
                form.cleaned_data["document"],
                team=form.cleaned_data["team"],
                by=request.user,
                name=form.cleaned_data["name"],
            )
        except DocumentError as error:
            paths = error.paths
            form.add_error(
                "file", _("The file was not imported: see its errors below. Nothing was saved.")
            )
        else:
            messages.success(request, _("Imported as “%(name)s”.") % {"name": protocol.name})
            return redirect("coach:protocol", protocol.pk)
    return render(
        request,
        "coach/protocol_import.html",
        {"form": form, "paths": sorted(paths.items())},
        status=400 if request.method == "POST" else 200,
    )
