"""The coach workspace (/coach/): the roster, the athlete page, its flags and audit trail.

The athlete page's actions live beside it, one module a family: phase_views (advance,
regress, assign), log_views (logging sessions and measurements, the CSV import),
correction_views (correcting and voiding entries), protocol_views (the protocol editor).
They share this module's page plumbing: `athlete_page_context`, `back_to_athlete`,
`render_action_form`.

Views parse input, call one selector or service, render. Every athlete is reached through
`athletes.access.get_athlete_for` with the staff roles (404 for anyone outside the athlete's
staff), every page needs a coach or clinician role (`staff_required`: 403 otherwise).
"""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from athletes.access import get_athlete_for, role_for_athlete, staff_required
from athletes.models import STAFF_ROLES
from core.forms import add_service_errors
from monitoring.models import Flag
from monitoring.services import FlagTransitionError, acknowledge_flag, resolve_flag

from . import selectors
from .compliance import RATE_DAYS
from .forms import (
    AdvanceForm,
    AssignForm,
    FlagAcknowledgeForm,
    FlagResolveForm,
    RegressForm,
    RosterFilterForm,
)

# Sorted by who needs attention first, so the first page is the one that matters.
ROSTER_PAGE_SIZE = 50


def positive_int(value, default=1):
    """A page number or an id from the query or the form: a whole number of at least 1, or
    `default` for anything else."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


# The roster's sortable headers: (label, the words "Sort by …" uses, the first click's order).
ROSTER_COLUMNS = {
    "name": (gettext_lazy("Athlete"), gettext_lazy("name"), "asc"),
    "phase": (gettext_lazy("Phase"), gettext_lazy("phase"), "asc"),
    "days": (gettext_lazy("days"), gettext_lazy("days in phase"), "desc"),
    "checkin": (gettext_lazy("Last check-in"), gettext_lazy("last check-in"), "asc"),
    "flags": (gettext_lazy("Flags"), gettext_lazy("flags"), "desc"),
    "gates": (gettext_lazy("Gates"), gettext_lazy("gates met"), "desc"),
}


def roster_sort_links(query, sort: str, direction: str) -> dict:
    """Per sortable column: the query string that sorts by it (the filters kept, back to the
    first page; the sorted column's link turns the direction round), its aria-sort, and
    the arrow shown."""
    links = {}
    for key, (label, words, first) in ROSTER_COLUMNS.items():
        params = query.copy()
        for name in ("page", "sort", "dir"):
            params.pop(name, None)
        current = key == sort
        params["sort"] = key
        params["dir"] = ("desc" if direction == "asc" else "asc") if current else first
        links[key] = {
            "label": label,
            "title": _("Sort by %(column)s") % {"column": words},
            "query": params.urlencode(),
            "aria_sort": ("ascending" if direction == "asc" else "descending")
            if current
            else "none",
            "arrow": ("↑" if direction == "asc" else "↓") if current else "",
        }
    return links


def roster_sort_context(query, sort: str, direction: str) -> dict:
    """What the roster's header and summary line say about the order."""
    columns = roster_sort_links(query, sort, direction)
    unsorted = query.copy()
    for name in ("page", "sort", "dir"):
        unsorted.pop(name, None)
    context = {
        "sort": sort,
        "direction": direction if sort else "",
        "columns": columns,
        "unsorted_query": unsorted.urlencode(),
        "phase_aria_sort": next(
            (columns[k]["aria_sort"] for k in ("phase", "days") if k == sort), "none"
        ),
        "sort_label": "",
    }
    if sort:
        words = ROSTER_COLUMNS[sort][1]
        context["sort_label"] = (
            _("%(column)s, ascending") if direction == "asc" else _("%(column)s, descending")
        ) % {"column": words}
    return context


@staff_required
def roster(request):
    teams = selectors.roster_teams(request.user)
    form = RosterFilterForm(request.GET or None, teams=teams)
    filters = form.filters()
    rows = selectors.roster(request.user, teams=teams, **filters)
    page = Paginator(rows, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_pain_trends(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "team_rate": selectors.team_checkin_rate(rows),
        "rate_days": RATE_DAYS,
        **roster_sort_context(request.GET, filters["sort"], filters["direction"]),
    }
    template = "coach/roster.html#roster-table" if request.htmx else "coach/roster.html"
    return render(request, template, context)


def athlete_page_context(request, athlete, **extra):
    context = selectors.athlete_overview(
        athlete,
        sessions_page=positive_int(request.GET.get("sessions_page")),
        measurements_page=positive_int(request.GET.get("measurements_page")),
        checkins_page=positive_int(request.GET.get("checkins_page")),
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
    return render(request, "coach/athlete.html", athlete_page_context(request, athlete))


def back_to_athlete(request, athlete, message):
    """After a successful action: a full reload of the athlete page (htmx or not)."""
    messages.success(request, message)
    url = reverse("coach:athlete", args=[athlete.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def render_action_form(request, athlete, partial, **forms):
    """A refused action: over htmx, the dialog's form again with its errors (200, so htmx
    swaps it in); otherwise the whole page with the errors (400)."""
    context = athlete_page_context(request, athlete, **forms)
    if request.htmx:
        return render(request, f"coach/athlete.html#{partial}", context)
    return render(request, "coach/athlete.html", context, status=400)


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
        error=_("Say what was done about this flag."),
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
