"""The athlete records in the coach workspace: add, edit, archive and restore an athlete;
record, edit and close injuries; the pre-injury baselines table.

Views parse input and call one service: athletes.services (athletes, injuries),
rehab.services.close_injury (it ends the injury's plan too), monitoring.baselines (the
table). Every athlete is reached through `athletes.access.get_athlete_for` (404 outside the
user's teams); changing an athlete's record needs `athlete_manager_required` (403 otherwise).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from athletes import services as athlete_services
from athletes.access import (
    athlete_manager_required,
    get_athlete_for,
    require_athlete_manager,
    require_injury_role,
    staff_required,
    visible_athletes,
)
from athletes.models import STAFF_ROLES
from core.forms import service_errors_on
from monitoring.baselines import BaselineCell, baseline_table, save_baselines

from . import services
from .import_forms import ExternalIdForm
from .record_forms import ArchiveForm, AthleteForm, InjuryCloseForm, InjuryForm
from .views import back_to_athlete


def _render(request, template, context, form):
    """A form page: empty (200), or a refused post with its errors (400)."""
    return render(request, template, context, status=400 if form.is_bound else 200)


@athlete_manager_required
def athlete_new(request):
    form = AthleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            athlete = athlete_services.create_athlete(
                by=request.user, team=form.cleaned_data["team"], values=form.values()
            )
            return back_to_athlete(
                request, athlete, _("%(name)s added.") % {"name": athlete.full_name}
            )
    context = {"form": form, "title": _("Add an athlete"), "athlete": None}
    return _render(request, "coach/athlete_form.html", context, form)


@athlete_manager_required
def athlete_edit(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    require_athlete_manager(request.user, athlete)
    form = AthleteForm(
        request.POST if request.method == "POST" else None, instance=athlete, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            athlete_services.update_athlete(
                athlete,
                by=request.user,
                values={**form.values(), "team": form.cleaned_data["team"]},
            )
            return back_to_athlete(request, athlete, _("Athlete record saved."))
    return _render(request, "coach/athlete_form.html", _edit_context(athlete, form), form)


def _edit_context(athlete, form, id_form=None) -> dict:
    return {
        "form": form,
        "title": _("Edit %(name)s") % {"name": athlete.full_name},
        "athlete": athlete,
        "id_form": id_form or ExternalIdForm(),
        "external_ids": athlete.external_ids.all(),
    }


@athlete_manager_required
@require_POST
def athlete_external_id(request, pk):
    """Set (or, with an empty id, remove) the athlete's id in a device system: CSV exports
    naming athletes by that id find them (monitoring.csv_import)."""
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    require_athlete_manager(request.user, athlete)
    id_form = ExternalIdForm(request.POST)
    if id_form.is_valid():
        with service_errors_on(id_form):
            athlete_services.set_external_id(athlete, by=request.user, **id_form.cleaned_data)
            messages.success(request, _("Device ids saved."))
            return redirect("coach:athlete-edit", athlete.pk)
    form = AthleteForm(instance=athlete, user=request.user)
    context = _edit_context(athlete, form, id_form)
    return render(request, "coach/athlete_form.html", context, status=400)


@athlete_manager_required
@require_POST
def athlete_archive(request, pk):
    """Archive (archived=on) or restore (archived absent) an athlete."""
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    form = ArchiveForm(request.POST)
    form.is_valid()  # a checkbox: anything but "on"-like is false
    archived = form.cleaned_data.get("archived", False)
    try:
        athlete_services.set_archived(athlete, archived, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("coach:athlete-edit", athlete.pk)
    message = (
        _("%(name)s archived: out of the roster, every record kept.")
        if archived
        else _("%(name)s restored to the roster.")
    ) % {"name": athlete.full_name}
    return back_to_athlete(request, athlete, message)


ARCHIVED_PAGE_SIZE = 50


@staff_required
def archived_athletes(request):
    athletes = visible_athletes(request.user, STAFF_ROLES, archived=True).select_related("team")
    page = Paginator(athletes.order_by("last_name", "first_name", "pk"), ARCHIVED_PAGE_SIZE)
    return render(
        request,
        "coach/archived_athletes.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


def _injury_of(request, pk, injury_pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    return athlete, get_object_or_404(athlete.injuries.all(), pk=injury_pk)


def _injury_page(request, athlete, form, *, injury=None, close_form=None):
    """The injury page: empty (200), or a refused post of either of its forms (400)."""
    context = {
        "athlete": athlete,
        "form": form,
        "injury": injury,
        "close_form": close_form,
        "title": _("Edit injury") if injury else _("Record an injury"),
    }
    refused = form.is_bound or (close_form is not None and close_form.is_bound)
    return render(request, "coach/injury_form.html", context, status=400 if refused else 200)


@staff_required
def injury_new(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    require_injury_role(request.user, athlete)
    form = InjuryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            athlete_services.record_injury(athlete, by=request.user, values=form.cleaned_data)
            return back_to_athlete(request, athlete, _("Injury recorded."))
    return _injury_page(request, athlete, form)


@staff_required
def injury_edit(request, pk, injury_pk):
    athlete, injury = _injury_of(request, pk, injury_pk)
    require_injury_role(request.user, athlete)
    form = InjuryForm(request.POST if request.method == "POST" else None, instance=injury)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            athlete_services.update_injury(injury, by=request.user, values=form.cleaned_data)
            return back_to_athlete(request, athlete, _("Injury saved."))
    close_form = None if injury.is_closed else InjuryCloseForm()
    return _injury_page(request, athlete, form, injury=injury, close_form=close_form)


@staff_required
@require_POST
def injury_close(request, pk, injury_pk):
    athlete, injury = _injury_of(request, pk, injury_pk)
    close_form = InjuryCloseForm(request.POST)
    if close_form.is_valid():
        with service_errors_on(close_form):
            services.close_injury(
                injury, by=request.user, closed_on=close_form.cleaned_data["closed_on"]
            )
            return back_to_athlete(request, athlete, _("Injury closed."))
    form = InjuryForm(instance=injury)
    return _injury_page(request, athlete, form, injury=injury, close_form=close_form)


def _parse_cells(post, cells: list[BaselineCell]) -> dict[str, str]:
    """Read each row's typed value, date and source into its cell; the parse errors by
    "<row key>.<column>" (the plausibility rules are monitoring.baselines')."""
    date_field = forms.DateField(required=False)
    errors = {}
    for cell in cells:
        raw_value = post.get(f"{cell.key}.value", "").strip().replace(",", ".")
        raw_date = post.get(f"{cell.key}.measured_on", "").strip()
        cell.source = post.get(f"{cell.key}.source", "").strip()[:80]
        cell.value = None
        if raw_value:
            try:
                cell.value = float(raw_value)
            except ValueError:
                errors[f"{cell.key}.value"] = _("Enter a number.")
        try:
            cell.measured_on = date_field.clean(raw_date) if raw_date else None
        except ValidationError:
            errors[f"{cell.key}.measured_on"] = _("Enter a valid date.")
    return errors


@staff_required
def baselines(request, pk):
    """The athlete's pre-injury baselines, one table saved all at once or not at all."""
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    cells = baseline_table(athlete)
    errors = {}
    if request.method == "POST":
        errors = _parse_cells(request.POST, cells)
        if not errors:
            try:
                save_baselines(athlete, cells, by=request.user)
                return back_to_athlete(request, athlete, _("Baselines saved."))
            except ValidationError as error:
                errors = {k: " ".join(v) for k, v in error.message_dict.items()}
    rows = [
        {
            "cell": cell,
            "value_error": errors.get(f"{cell.key}.value", ""),
            "date_error": errors.get(f"{cell.key}.measured_on", ""),
        }
        for cell in cells
    ]
    context = {"athlete": athlete, "rows": rows, "errors": errors}
    return render(request, "coach/baselines.html", context, status=400 if errors else 200)
