"""The coach workspace (/coach/): roster, athlete page, phase actions, flag actions.

Views parse input, call one selector or service, render. Every athlete is reached through
`athletes.access.get_athlete_for` with the staff roles (404 for anyone outside the athlete's
staff), every page needs a coach or clinician role (`staff_required`: 403 otherwise).
"""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from athletes.access import (
    editable_protocols,
    get_athlete_for,
    protocols_for,
    role_for_athlete,
    staff_required,
    teams_for,
    visible_athletes,
)
from athletes.models import STAFF_ROLES, Role
from core.forms import add_service_errors
from monitoring import csv_import
from monitoring.models import Flag
from monitoring.services import (
    FlagTransitionError,
    acknowledge_flag,
    record_measurement,
    record_session,
    resolve_flag,
)

from . import selectors, services
from .forms import (
    AdvanceForm,
    AssignForm,
    FlagAcknowledgeForm,
    FlagResolveForm,
    GateFormSet,
    MeasurementForm,
    MeasurementImportForm,
    PhaseFormSet,
    ProtocolForm,
    RegressForm,
    RosterFilterForm,
    SessionForm,
)
from .models import Plan, Protocol

# Sorted by who needs attention first, so the first page is the one that matters.
ROSTER_PAGE_SIZE = 50


def _int(value, default=1):
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


@staff_required
def roster(request):
    teams = selectors.roster_teams(request.user)
    form = RosterFilterForm(request.GET or None, teams=teams)
    rows = selectors.roster(request.user, **form.filters())
    page = Paginator(rows, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_pain_trends(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "rows": rows, "page": page, "query": query.urlencode()}
    template = "coach/roster.html#roster-table" if request.htmx else "coach/roster.html"
    return render(request, template, context)


def _athlete_page_context(request, athlete, **extra):
    context = selectors.athlete_overview(
        athlete,
        sessions_page=_int(request.GET.get("sessions_page")),
        measurements_page=_int(request.GET.get("measurements_page")),
        checkins_page=_int(request.GET.get("checkins_page")),
    )
    plan = context["active_plan"]
    context["role"] = role_for_athlete(request.user, athlete)
    if plan is not None:
        context.setdefault("advance_form", AdvanceForm(initial={"version": plan.version}))
        proposed = context["proposed_flag"]
        context.setdefault(
            "regress_form",
            RegressForm(
                plan=plan,
                initial={
                    "version": plan.version,
                    "to_phase": proposed.proposed_regression_to_id if proposed else None,
                    "flag": proposed.pk if proposed else None,
                },
            ),
        )
    elif context["unplanned_injuries"]:
        context.setdefault("assign_form", AssignForm(athlete=athlete))
    context.update(extra)
    return context


@staff_required
def athlete_detail(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    return render(request, "coach/athlete.html", _athlete_page_context(request, athlete))


def _done(request, athlete, message):
    """After a successful action: a full reload of the athlete page (htmx or not)."""
    messages.success(request, message)
    url = reverse("coach:athlete", args=[athlete.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _active_plan(athlete):
    return get_object_or_404(
        Plan.objects.select_related("current_phase", "protocol", "injury", "athlete"),
        athlete=athlete,
        status=Plan.Status.ACTIVE,
    )


def _render_action_form(request, athlete, partial, **forms):
    """A refused action: over htmx, the dialog's form again with its errors (200, so htmx
    swaps it in); otherwise the whole page with the errors (400)."""
    context = _athlete_page_context(request, athlete, **forms)
    if request.htmx:
        return render(request, f"coach/athlete.html#{partial}", context)
    return render(request, "coach/athlete.html", context, status=400)


@staff_required
@require_POST
def advance(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    plan = _active_plan(athlete)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            result = services.advance_phase(
                plan,
                by=request.user,
                reason=form.cleaned_data["reason"],
                override=form.cleaned_data["override"],
                expected_version=form.cleaned_data["version"],
            )
            return _done(request, athlete, result.message)
        except ValidationError as error:
            add_service_errors(form, error)
        except services.PhaseConflict as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            form.add_error(None, "Only the athlete's coach can advance a phase.")
    return _render_action_form(request, athlete, "advance-form", advance_form=form)


@staff_required
@require_POST
def regress(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    plan = _active_plan(athlete)
    form = RegressForm(request.POST, plan=plan)
    if form.is_valid():
        flag = None
        if form.cleaned_data.get("flag"):
            flag = Flag.objects.filter(athlete=athlete, pk=form.cleaned_data["flag"]).first()
        try:
            change = services.regress_phase(
                plan,
                to_phase=form.cleaned_data["to_phase"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                flag=flag,
                expected_version=form.cleaned_data["version"],
            )
            return _done(
                request,
                athlete,
                f"Back to phase {change.to_phase.order} ({change.to_phase.name}).",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.PhaseConflict as error:
            form.add_error(None, str(error))
    return _render_action_form(request, athlete, "regress-form", regress_form=form)


@staff_required
@require_POST
def assign(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    form = AssignForm(request.POST, athlete=athlete)
    if form.is_valid():
        try:
            plan = services.assign_protocol(
                form.cleaned_data["injury"], form.cleaned_data["protocol"], by=request.user
            )
            return _done(request, athlete, f"Plan started: {plan.protocol.name}, phase 0.")
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            form.add_error(None, "Only the athlete's coach can assign a protocol.")
    return _render_action_form(request, athlete, "assign-form", assign_form=form)


def _flag_for(request, pk, flag_pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    return athlete, get_object_or_404(Flag.objects.filter(athlete=athlete), pk=flag_pk)


def _render_flag(request, athlete, flag, *, error="", resolve_form=None, status=200):
    flag = Flag.objects.select_related("proposed_regression_to").get(pk=flag.pk)
    context = {
        "athlete": athlete,
        "flag": flag,
        "flag_error": error,
        "resolve_form": resolve_form or FlagResolveForm(),
    }
    if request.htmx:
        return render(request, "coach/athlete.html#flag-item", context, status=status)
    if error:
        messages.error(request, error)
    return redirect(reverse("coach:athlete", args=[athlete.pk]) + "#flags")


@staff_required
@require_POST
def flag_acknowledge(request, pk, flag_pk):
    athlete, flag = _flag_for(request, pk, flag_pk)
    form = FlagAcknowledgeForm(request.POST)
    if not form.is_valid():
        return _render_flag(request, athlete, flag, error=" ".join(form.errors["note"]))
    try:
        acknowledge_flag(flag, by=request.user, note=form.cleaned_data["note"])
    except FlagTransitionError as error:
        return _render_flag(request, athlete, flag, error=str(error))
    return _render_flag(request, athlete, flag)


@staff_required
@require_POST
def flag_resolve(request, pk, flag_pk):
    athlete, flag = _flag_for(request, pk, flag_pk)
    form = FlagResolveForm(request.POST)
    if form.is_valid():
        try:
            resolve_flag(flag, by=request.user, note=form.cleaned_data["note"])
            return _render_flag(request, athlete, flag)
        except FlagTransitionError as error:
            return _render_flag(request, athlete, flag, error=str(error))
        except ValidationError as error:
            add_service_errors(form, error)
    return _render_flag(
        request,
        athlete,
        flag,
        error="Say what was done about this flag.",
        resolve_form=form,
    )


class _Echo:
    def write(self, value):
        return value


@staff_required
def audit_csv(request, pk):
    """An athlete's whole audit trail as CSV, for the athlete's coaches and clinicians."""
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(_csv_safe(row)) for row in selectors.audit_rows(athlete)),
        content_type="text/csv; charset=utf-8",
    )
    name = slugify(athlete.full_name) or f"athlete-{athlete.pk}"
    response["Content-Disposition"] = f'attachment; filename="audit-{name}.csv"'
    return response


def _csv_safe(row):
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row]


# --- logging for coaches --------------------------------------------------------------------


@staff_required
def session_new(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    form = SessionForm(
        request.POST if request.method == "POST" else None, initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_session(athlete, by=request.user, values=form.cleaned_data)
            return _done(request, athlete, "Session logged.")
        except ValidationError as error:
            add_service_errors(form, error)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "coach/log_form.html",
        {"athlete": athlete, "form": form, "what": "session"},
        status=status,
    )


@staff_required
def measurement_new(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    form = MeasurementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_measurement(
                athlete,
                by=request.user,
                metric=data["metric"],
                value=data["value"],
                side=data["side"] or "",
                measured_at=data["measured_at"],
                notes=data["notes"],
            )
            return _done(request, athlete, f"{data['metric'].name} logged.")
        except ValidationError as error:
            add_service_errors(form, error)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "coach/log_form.html",
        {"athlete": athlete, "form": form, "what": "measurement"},
        status=status,
    )


@staff_required
def measurement_import(request):
    """Upload → preview with row errors and duplicates → confirm: all rows stored, or none,
    and only once (the preview's one-time key)."""
    bound = request.method == "POST"
    form = MeasurementImportForm(request.POST if bound else None, request.FILES if bound else None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        confirming = "confirm" in request.POST
        if upload is not None:
            data = upload.read(csv_import.MAX_BYTES + 1)
            file_name = upload.name
        else:
            data = form.cleaned_data.get("content", "").encode()
            file_name = form.cleaned_data.get("file_name", "")
        if not data:
            form.add_error("file", "Choose a CSV file.")
        else:
            preview = csv_import.parse_measurements_csv(
                data, athletes=visible_athletes(request.user, STAFF_ROLES)
            )
            context["preview"] = preview
            if confirming and preview.ok and form.cleaned_data.get("key"):
                try:
                    result = csv_import.import_measurements(
                        preview,
                        by=request.user,
                        key=form.cleaned_data["key"],
                        include_lines=form.include_lines(),
                        file_name=file_name,
                    )
                    context.update(
                        imported=result.created,
                        skipped=result.skipped,
                        preview=None,
                        report=_import_report(result.created),
                    )
                except csv_import.AlreadyImported as already:
                    context.update(already=already.batch, preview=None)
                except ValidationError as error:
                    form.add_error(None, error.messages)
            if context.get("preview") is not None and preview.ok:
                context["content"] = data.decode("utf-8-sig", errors="replace")
                context["file_name"] = file_name
                context["key"] = form.cleaned_data.get("key") or preview.key
    status = 400 if form.errors or (context.get("preview") and not context["preview"].ok) else 200
    return render(request, "coach/import.html", context, status=status)


def _import_report(created) -> list[dict]:
    summary: dict = {}
    for m in created:
        key = (m.athlete_id, m.metric_id)
        entry = summary.setdefault(
            key, {"athlete": m.athlete, "metric": m.metric, "count": 0, "latest": m}
        )
        entry["count"] += 1
        if m.measured_at >= entry["latest"].measured_at:
            entry["latest"] = m
    return sorted(summary.values(), key=lambda e: (e["athlete"].last_name, e["metric"].name))


# --- protocol editor ------------------------------------------------------------------------


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
        teams_for(request.user, [Role.COACH]).filter(pk=_int(request.POST.get("team"), 0)).first()
    )
    if team is None:
        messages.error(request, "Choose one of the teams you coach.")
        return redirect("coach:protocols")
    try:
        copy = services.copy_protocol(protocol, team=team, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
        return redirect("coach:protocols")
    messages.success(request, f"Copied as “{copy.name}”. Edit its phases and gates below.")
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
        except IntegrityError:
            # Another coach took the name between validation and saving.
            if not form.name_taken():
                raise
            form.add_error("name", form.name_taken_message())
        else:
            messages.success(request, "Protocol saved.")
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
