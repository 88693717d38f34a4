"""Logging for coaches: a session or a measurement for one athlete, and the CSV import of
measurements for the coach's athletes. The rules (ranges, dates, duplicates) are
monitoring.services' and monitoring.csv_import's."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from athletes.access import get_athlete_for, staff_required, visible_athletes
from athletes.models import STAFF_ROLES
from core.forms import service_errors_on
from monitoring import csv_import, import_profiles
from monitoring.models import SprintTrial
from monitoring.services import record_measurement, record_session
from monitoring.sprint_profile import QUALITY_TEXTS
from monitoring.sprints import RECORDED_BY, pre_injury_top_speed, record_sprint_trial

from .forms import MeasurementForm, MeasurementImportForm, SessionForm, SprintTrialForm
from .import_forms import ColumnMapForm
from .views import back_to_athlete


def _render_log_form(request, athlete, form, *, what):
    """The logging page: empty (200), or a refused post with its errors (400)."""
    context = {"athlete": athlete, "form": form, "what": what}
    return render(request, "coach/log_form.html", context, status=400 if form.is_bound else 200)


@staff_required
def session_new(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    form = SessionForm(
        request.POST if request.method == "POST" else None, initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            record_session(athlete, by=request.user, values=form.cleaned_data)
            return back_to_athlete(request, athlete, _("Session logged."))
    return _render_log_form(request, athlete, form, what="session")


@staff_required
def measurement_new(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    form = MeasurementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_errors_on(form):
            record_measurement(
                athlete,
                by=request.user,
                metric=data["metric"],
                value=data["value"],
                side=data["side"] or "",
                measured_at=data["measured_at"],
                notes=data["notes"],
            )
            return back_to_athlete(
                request, athlete, _("%(metric)s logged.") % {"metric": data["metric"].name}
            )
    return _render_log_form(request, athlete, form, what="measurement")


@staff_required
def sprint_new(request, pk):
    """A sprint trial typed from the timing gates: the profile is fitted on save and the
    trial's page shows it."""
    athlete = get_athlete_for(request.user, pk, RECORDED_BY)
    form = SprintTrialForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_errors_on(form):
            trial = record_sprint_trial(
                athlete,
                by=request.user,
                measured_at=data["measured_at"],
                splits=data["splits"],
                start=data["start"],
                run_in_m=data["run_in_m"],
                body_mass_kg=data["body_mass_kg"],
                notes=data["notes"],
            )
            messages.success(request, _("Sprint trial saved."))
            return redirect("coach:sprint", athlete.pk, trial.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "coach/sprint_form.html", {"athlete": athlete, "form": form}, status=status
    )


@staff_required
def sprint_detail(request, pk, sprint_pk):
    """One trial: its splits and the profile fitted from them."""
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    # A voided trial still opens, marked as voided (the audit trail links to it).
    trial = get_object_or_404(
        SprintTrial.all_objects.select_related("voided_by"), pk=sprint_pk, athlete=athlete
    )
    context = {
        "athlete": athlete,
        "trial": trial,
        "quality_text": QUALITY_TEXTS.get(trial.quality, ""),
        "rmse_ms": None if trial.rmse is None else trial.rmse * 1000,
        "top_speed": pre_injury_top_speed(athlete),
    }
    if context["top_speed"] is not None:
        context["top_speed_pct"] = context["top_speed"].percent(trial.mss)
    return render(request, "coach/sprint_detail.html", context)


@staff_required
def measurement_import(request):
    """Upload → (map the columns of an unknown layout, optionally saving the map as the team's
    import profile) → preview with row errors and duplicates → confirm: all rows stored, or
    none, and only once (the preview's one-time key). A layout the page knows — the built-in
    one, a team profile, a complete shipped vendor layout — needs no mapping step."""
    bound = request.method == "POST"
    form = MeasurementImportForm(request.POST if bound else None, request.FILES if bound else None)
    context = {"form": form}
    status = 200
    if bound and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is not None:
            data = upload.read(csv_import.MAX_BYTES + 1)
            file_name = upload.name
        else:
            data = form.cleaned_data.get("content", "").encode()
            file_name = form.cleaned_data.get("file_name", "")
        if not data:
            form.add_error("file", _("Choose a CSV file."))
        else:
            context.update(file_name=file_name, content=data.decode("utf-8-sig", errors="replace"))
            mapping, layout_name = _column_map(request, form, data, context)
            if mapping is not None or context.get("map_form") is None:
                _preview_and_import(request, form, data, file_name, mapping, context)
                context["layout_name"] = layout_name
            elif context["map_form"].is_bound:
                status = 400
    preview = context.get("preview")
    if form.errors or (preview is not None and not preview.ok):
        status = 400
    return render(request, "coach/import.html", context, status=status)


def _column_map(request, form, data, context):
    """The column map to read the file with, and the name of its layout; or (None, "") with
    `map_form` in the context when the coach has to map the columns (again)."""
    header = csv_import.read_header(data)
    if header is None:
        return None, ""  # not a CSV file at all: the preview says why
    if "map" in request.POST:  # the mapping form, sent
        map_form = ColumnMapForm(request.POST, header=header, user=request.user)
        context["map_form"] = map_form
        if not map_form.is_valid():
            return None, ""
        mapping = map_form.mapping()
        name = map_form.cleaned_data.get("name")
        if name:
            try:
                profile = import_profiles.save_profile(
                    by=request.user,
                    team=map_form.cleaned_data.get("team"),
                    name=name,
                    header=header,
                    mapping=mapping,
                )
            except ValidationError as error:
                map_form.show_service_errors(error)
                return None, ""
            messages.success(
                request,
                _(
                    "Saved as the profile “%(name)s”: the next file with these columns needs no mapping."
                )
                % {"name": profile.name},
            )
            return mapping, profile.name
        return mapping, ""
    carried = form.cleaned_data.get("mapping")
    if carried:  # the preview's map, sent back with the confirmation (checked again)
        return carried, form.cleaned_data.get("layout_name", "")
    layout = import_profiles.find_layout(header, user=request.user)
    if layout is not None and not layout.needs_mapping:
        return layout.mapping, layout.name
    map_form = ColumnMapForm(header=header, user=request.user)
    if layout is not None:
        map_form.set_initial(layout.mapping)
        context["shipped"] = layout.shipped
    context["map_form"] = map_form
    return None, ""


def _preview_and_import(request, form, data, file_name, mapping, context):
    preview = csv_import.parse_measurements_csv(
        data, athletes=visible_athletes(request.user, STAFF_ROLES), mapping=mapping
    )
    context["preview"] = preview
    confirming = "confirm" in request.POST
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
                imported=result.created + result.trials,
                trials=result.trials,
                skipped=result.skipped,
                preview=None,
                report=_import_report(result.created, result.trials),
            )
        except csv_import.AlreadyImported as already:
            context.update(already=already.existing, preview=None)
        except ValidationError as error:
            form.add_error(None, error.messages)
    if context.get("preview") is not None and preview.ok:
        context["key"] = form.cleaned_data.get("key") or preview.key
        context["mapping_json"] = json.dumps(preview.mapping)


def _import_report(created, trials=()) -> list[dict]:
    summary: dict = {}
    for m in [*created, *trials]:
        metric = getattr(m, "metric", None)
        key = (m.athlete_id, metric.pk if metric else "sprint")
        entry = summary.setdefault(
            key, {"athlete": m.athlete, "metric": metric, "count": 0, "latest": m}
        )
        entry["count"] += 1
        if m.measured_at >= entry["latest"].measured_at:
            entry["latest"] = m
    return sorted(
        summary.values(),
        key=lambda e: (e["athlete"].last_name, e["metric"].name if e["metric"] else ""),
    )
