"""Coach pages that correct or void an athlete's entries (PRODUCT.md §2.9).

Each page reaches the athlete through `get_athlete_for` (404 outside the athlete's staff)
and the entry through that athlete; the rules (who may, reasons, audit, re-evaluation) are
monitoring.corrections'.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from athletes.access import get_athlete_for, staff_required
from athletes.models import STAFF_ROLES
from core.forms import add_service_errors
from monitoring import corrections
from monitoring.models import CheckIn, Measurement, SprintTrial, TrainingSession
from monitoring.services import CheckInConflict

from .evidence_text import metric_text
from .forms import MeasurementCorrectionForm, SessionCorrectionForm, VoidForm
from .views import back_to_athlete

NOT_ALLOWED = gettext_lazy("Your role does not allow correcting this entry.")

# What the pages say about an entry, by the kind of entry (the `what` of each view).
VOIDED = {
    "check-in": gettext_lazy("Check-in voided: %(entry)s."),
    "session": gettext_lazy("Session voided: %(entry)s."),
    "measurement": gettext_lazy("Measurement voided: %(entry)s."),
    "sprint trial": gettext_lazy("Sprint trial voided: %(entry)s."),
}
VOIDED_ALREADY = {
    "check-in": gettext_lazy("This check-in was voided already."),
    "session": gettext_lazy("This session was voided already."),
    "measurement": gettext_lazy("This measurement was voided already."),
    "sprint trial": gettext_lazy("This sprint trial was voided already."),
}
CORRECTED = {
    "session": gettext_lazy("Session corrected."),
    "measurement": gettext_lazy("Measurement corrected."),
}


def _entry(request, model, pk, entry_pk):
    athlete = get_athlete_for(request.user, pk, STAFF_ROLES)
    entry = get_object_or_404(model.all_objects.filter(athlete=athlete), pk=entry_pk)
    return athlete, entry


def _describe(entry) -> str:
    if isinstance(entry, CheckIn):
        return _(
            "check-in of %(date)s (pain %(rest)s at rest, %(activity)s in activity, "
            "%(morning)s in the morning)"
        ) % {
            "date": date_format(entry.local_date),
            "rest": entry.pain_rest,
            "activity": entry.pain_activity,
            "morning": entry.pain_morning,
        }
    if isinstance(entry, TrainingSession):
        return _("%(type)s session of %(date)s") % {
            "type": entry.get_type_display().lower(),
            "date": date_format(entry.date),
        }
    if isinstance(entry, SprintTrial):
        when = date_format(timezone.localtime(entry.measured_at), "DATETIME_FORMAT")
        if entry.mss is None:
            return _("sprint trial of %(when)s") % {"when": when}
        return _("sprint trial of %(when)s (top speed %(mss)s m/s)") % {
            "when": when,
            "mss": f"{entry.mss:.2f}",
        }
    values = {
        "metric": entry.metric.name,
        "side": entry.get_side_display().lower(),
        "value": metric_text(entry.metric, entry.value),
        "when": date_format(timezone.localtime(entry.measured_at), "DATETIME_FORMAT"),
    }
    if entry.side:
        return _("%(metric)s, %(side)s: %(value)s (%(when)s)") % values
    return _("%(metric)s: %(value)s (%(when)s)") % values


def _render(request, athlete, entry, form, *, what, action):
    status = 400 if form.is_bound else 200
    context = {
        "athlete": athlete,
        "entry": entry,
        "form": form,
        "what": what,
        "action": action,
        "described": _describe(entry),
    }
    return render(request, "coach/correct_form.html", context, status=status)


def _applied(form, service, entry, **kwargs) -> bool:
    """Void or correct `entry` with `service`: True, or False with the refusal on the form."""
    try:
        service(entry, **kwargs)
    except corrections.AlreadyVoided as error:
        form.add_error(None, str(error))
    except CheckInConflict as conflict:
        form.add_error(
            None,
            _("That day already has a check-in (%(date)s).")
            % {"date": conflict.existing.local_date},
        )
    except PermissionDenied:
        form.add_error(None, NOT_ALLOWED)
    except ValidationError as error:
        add_service_errors(form, error)
    else:
        return True
    return False


def _void_view(model, service, what):
    @staff_required
    def view(request, pk, entry_pk):
        athlete, entry = _entry(request, model, pk, entry_pk)
        form = VoidForm(request.POST if request.method == "POST" else None)
        if entry.is_voided:
            form.is_valid()
            form.add_error(None, VOIDED_ALREADY[what])
        elif request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            if _applied(form, service, entry, by=request.user, reason=reason):
                return back_to_athlete(request, athlete, VOIDED[what] % {"entry": _describe(entry)})
        return _render(request, athlete, entry, form, what=what, action="void")

    return view


checkin_void = _void_view(CheckIn, corrections.void_checkin, "check-in")
session_void = _void_view(TrainingSession, corrections.void_session, "session")
measurement_void = _void_view(Measurement, corrections.void_measurement, "measurement")
sprint_void = _void_view(SprintTrial, corrections.void_sprint_trial, "sprint trial")


def _edit_view(model, service, what, *, form_for, values_of):
    """A correction page: the entry's form (a voided entry's is never bound), then `service`
    with the corrected values (`values_of` the valid form's data) and the reason."""

    @staff_required
    def view(request, pk, entry_pk):
        athlete, entry = _entry(request, model, pk, entry_pk)
        bound = request.method == "POST" and not entry.is_voided
        form = form_for(entry, request.POST if bound else None)
        if bound and form.is_valid():
            values, reason = values_of(form.cleaned_data), form.cleaned_data["reason"]
            if _applied(form, service, entry, by=request.user, values=values, reason=reason):
                return back_to_athlete(request, athlete, CORRECTED[what])
        return _render(request, athlete, entry, form, what=what, action="correct")

    return view


def _session_form(entry, data):
    return SessionCorrectionForm(data, instance=entry)


def _session_values(data) -> dict:
    return {name: data[name] for name in corrections.SESSION_FIELDS}


def _measurement_form(entry, data):
    initial = {
        "value": entry.value,
        "side": entry.side,
        "measured_at": timezone.localtime(entry.measured_at),
        "notes": entry.notes,
    }
    return MeasurementCorrectionForm(data, initial=initial, metric=entry.metric)


def _measurement_values(data) -> dict:
    return {
        "value": data["value"],
        "side": data["side"] or "",
        "measured_at": data["measured_at"],
        "notes": data["notes"],
    }


session_edit = _edit_view(
    TrainingSession,
    corrections.correct_session,
    "session",
    form_for=_session_form,
    values_of=_session_values,
)
measurement_edit = _edit_view(
    Measurement,
    corrections.correct_measurement,
    "measurement",
    form_for=_measurement_form,
    values_of=_measurement_values,
)
