"""The protocol editor: the protocols a coach can read, copying one to a team, and editing a
team's own (thresholds, phases, each phase's gate criteria)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from athletes.access import editable_protocols, protocols_for, staff_required, teams_for
from athletes.models import Role

from . import gate_summary, services
from .forms import GateFormSet, PhaseFormSet, ProtocolForm
from .models import Protocol
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
        request, "coach/protocols.html", {"protocols": protocols, "coach_teams": coach_teams}
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
    form = ProtocolForm(data, instance=protocol, prefix="protocol")
    phases = list(protocol.phases.order_by("order"))
    phase_forms = PhaseFormSet(data, queryset=protocol.phases.order_by("order"), prefix="phases")
    gate_sets = [GateFormSet(data, instance=p, prefix=f"gates-{p.order}") for p in phases]
    # Validate every part (no short-circuit), so all errors show at once.
    valid = data is not None and all(
        [form.is_valid(), phase_forms.is_valid(), *[g.is_valid() for g in gate_sets]]
    )
    if valid:
        try:
            with transaction.atomic():
                form.save()
                phase_forms.save()
                for gates in gate_sets:
                    gates.save()
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
        },
        status=400 if data is not None else 200,
    )
