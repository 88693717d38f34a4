"""The coach's phase actions on the athlete page: advance, regress, assign a protocol (today
or mid-rehab), complete the plan.

Each one changes the plan through rehab.services; a refusal shows the dialog's form again
with the service's words (views.render_action_form), a success reloads the athlete page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from athletes.access import get_athlete_for, staff_required
from athletes.models import STAFF_ROLES
from core.forms import add_service_errors
from monitoring.models import Flag

from . import services
from .forms import AdvanceForm, AssignForm, RegressForm
from .models import Plan
from .views import back_to_athlete, render_action_form


def _active_plan(athlete):
    return get_object_or_404(
        Plan.objects.select_related("current_phase", "protocol", "injury", "athlete"),
        athlete=athlete,
        status=Plan.Status.ACTIVE,
    )


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
            return back_to_athlete(request, athlete, result.message)
        except ValidationError as error:
            add_service_errors(form, error)
        except services.PhaseConflict as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            form.add_error(None, _("Only the athlete's coach can advance a phase."))
    return render_action_form(request, athlete, "advance-form", advance_form=form)


def regress_as_posted(form, plan, *, by, **extra):
    """Regress `plan` to the valid form's `to_phase`, with its `reason` (and `extra`, passed
    on to services.regress_phase): the phase change, or None with the service's refusal on
    the form. The coach's regress and the clinician's share it."""
    try:
        return services.regress_phase(
            plan,
            to_phase=form.cleaned_data["to_phase"],
            by=by,
            reason=form.cleaned_data["reason"],
            **extra,
        )
    except ValidationError as error:
        add_service_errors(form, error)
    except services.PhaseConflict as error:
        form.add_error(None, str(error))
    return None


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
        change = regress_as_posted(
            form, plan, by=request.user, flag=flag, expected_version=form.cleaned_data["version"]
        )
        if change is not None:
            to = change.to_phase
            message = _("Back to phase %(number)s (%(name)s).") % {
                "number": to.order,
                "name": to.name,
            }
            return back_to_athlete(request, athlete, message)
    return render_action_form(request, athlete, "regress-form", regress_form=form)


@staff_required
@require_POST
def assign(request, pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    form = AssignForm(request.POST, athlete=athlete)
    if form.is_valid():
        try:
            data = form.cleaned_data
            plan = services.assign_protocol(
                data["injury"],
                data["protocol"],
                by=request.user,
                started_at=data["started_at"],
                phase=data["phase"],
                phase_entered_at=data["phase_entered_at"],
            )
            phase = plan.current_phase
            message = _("Plan started: %(protocol)s, phase %(number)s.") % {
                "protocol": plan.protocol.name,
                "number": phase.order,
            }
            return back_to_athlete(request, athlete, message)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            form.add_error(None, _("Only the athlete's coach can assign a protocol."))
    return render_action_form(request, athlete, "assign-form", assign_form=form)


@staff_required
@require_POST
def complete(request, pk):
    """The return to play is done: the plan completes and its injury closes."""
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    plan = _active_plan(athlete)
    try:
        services.complete_plan(plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("coach:athlete", athlete.pk)
    except services.PhaseConflict as error:
        messages.error(request, str(error))
        return redirect("coach:athlete", athlete.pk)
    return back_to_athlete(request, athlete, _("Plan completed: the injury is closed."))
