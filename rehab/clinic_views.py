"""The clinician pages (/clinic/): the queue, the decision page, the printable report.

Every request is reached through `clinic_selectors.get_request_for` (404 outside the
clinician's teams); the queue and the decision need a clinician role (403 otherwise). The
report can also be read by the athlete's coaches.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from athletes.access import clinician_required, scoped
from athletes.models import STAFF_ROLES
from core.forms import add_service_errors
from monitoring.models import Flag
from monitoring.services import FlagTransitionError, resolve_flag

from . import clinic_selectors
from .forms import ClinicRegressForm, DecisionForm, FlagResolveForm
from .models import Plan, SignOffRequest
from .phase_views import regress_as_posted
from .signoff import SignOffConflict, decide_signoff


@clinician_required
def queue(request):
    return render(request, "clinic/queue.html", clinic_selectors.clinic_queue(request.user))


def _decision_page(request, req, *, status=200, **extra):
    context = clinic_selectors.decision_context(req)
    plan = req.plan
    decided = req.status != SignOffRequest.Status.PENDING
    context.setdefault("form", DecisionForm(initial={"supersede": decided}))
    context["decided"] = decided
    if plan.status == Plan.Status.ACTIVE and plan.current_phase.order > 0:
        context.setdefault("regress_form", ClinicRegressForm(plan=plan))
    context["resolve_form"] = FlagResolveForm()
    context.update(extra)
    template = "clinic/decision.html"
    if request.htmx and extra.get("partial"):
        template += f"#{extra['partial']}"
    return render(request, template, context, status=status)


@clinician_required
def decision(request, pk):
    """GET: the evidence and the form. POST: decide (approve or decline, with rationale)."""
    req = clinic_selectors.get_request_for(request.user, pk)
    if request.method != "POST":
        return _decision_page(request, req)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            # The form's fields are the service's arguments: decision, rationale,
            # restrictions, supersede.
            made = decide_signoff(req, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except SignOffConflict as error:
            form.add_error(None, str(error))
        else:
            athlete = req.plan.athlete
            if made.decision == "approve":
                text = _("%(kind)s approved for %(name)s: now in phase %(number)s (%(phase)s).") % {
                    "kind": req.get_kind_display(),
                    "name": athlete.full_name,
                    "number": req.target_phase.order,
                    "phase": req.target_phase.name,
                }
            else:
                text = _("%(kind)s declined for %(name)s.") % {
                    "kind": req.get_kind_display(),
                    "name": athlete.full_name,
                }
            messages.success(request, text)
            return redirect("clinic:decision", req.pk)
    return _decision_page(request, req, form=form, status=400)


@clinician_required
@require_POST
def flag_resolve(request, pk, flag_pk):
    """Resolve one of the athlete's flags on the decision page; over htmx the decision panel
    (flags and form) is swapped, so approval becomes possible without a reload."""
    req = clinic_selectors.get_request_for(request.user, pk)
    flag = get_object_or_404(Flag.objects.filter(athlete=req.plan.athlete), pk=flag_pk)
    form = FlagResolveForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            resolve_flag(flag, by=request.user, note=form.cleaned_data["note"])
        except (FlagTransitionError, ValidationError) as exc:
            error = "; ".join(getattr(exc, "messages", [str(exc)]))
    else:
        error = _("Say what was done about this flag.")
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("clinic:decision", args=[req.pk]) + "#decision-panel")
    return _decision_page(request, req, partial="decision-panel", flag_error=error)


@clinician_required
@require_POST
def regress(request, pk):
    req = clinic_selectors.get_request_for(request.user, pk)
    plan = req.plan
    if plan.status != Plan.Status.ACTIVE:
        raise PermissionDenied(_("This plan is no longer active."))
    form = ClinicRegressForm(request.POST, plan=plan)
    if form.is_valid():
        change = regress_as_posted(form, plan, by=request.user)
        if change is not None:
            messages.success(
                request,
                _(
                    "%(name)s is back to phase %(number)s (%(phase)s); the pending review was "
                    "withdrawn."
                )
                % {
                    "name": plan.athlete.full_name,
                    "number": change.to_phase.order,
                    "phase": change.to_phase.name,
                },
            )
            return redirect("clinic:queue")
    return _decision_page(request, req, regress_form=form, status=400)


@login_required
def report(request, pk):
    """The printable return-to-play report: evidence snapshot and decisions. Clinicians and
    coaches of the athlete's team."""
    req = get_object_or_404(
        scoped(SignOffRequest.objects.all(), request.user, via="plan__athlete", roles=STAFF_ROLES)
        .select_related("plan__athlete__team", "plan__injury", "target_phase", "requested_by")
        .select_related("plan__protocol"),
        pk=pk,
    )
    return render(request, "clinic/report.html", clinic_selectors.decision_context(req))
