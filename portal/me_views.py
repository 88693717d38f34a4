"""The athlete's own phone pages under /me/: today's check-in, plan, recovery, history.

Every view acts only on the signed-in user's own athlete record (athletes.access.athlete_page);
no athlete id is ever read from the request. Writes go through monitoring.services.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from athletes.access import athlete_page
from athletes.models import MuscleGroup, Side
from core.forms import add_service_errors
from monitoring.athlete_forms import RECOVERY_MINUTES, CheckInForm, RecoveryForm
from monitoring.corrections import correct_checkin
from monitoring.models import CheckIn, TrainingSession
from monitoring.pain_response import annotate_responses
from monitoring.rules import DEFAULT_RESPONSE_AMBER_MAX, DEFAULT_RESPONSE_GREEN_MAX
from monitoring.selectors import (
    athlete_flag_messages,
    checkin_on,
    pain_series,
    recovery_on,
)
from monitoring.services import CheckInConflict, record_checkin, record_recovery
from rehab.checkin_feedback import checkin_feedback
from rehab.models import Plan
from rehab.plan_summary import athlete_plan_summary

HISTORY_PAGE_SIZE = 10
HISTORY_DAYS = 56
HISTORY_SESSIONS = 10  # the latest sessions History shows with their 24-hour response
NOT_YOURS = gettext_lazy("You can only log your own check-in and recovery.")
SAVED_KEY = "checkin_saved"  # the session's mark: the next Today page shows the feedback


def _posted_for_someone_else(request, athlete) -> bool:
    """The pages never send an athlete id; one that is not the user's own is refused."""
    posted = request.POST.get("athlete", "").strip()
    return posted not in ("", str(athlete.pk))


def _posted_form(request, athlete, form_class):
    """The posted form; one that names another athlete carries the refusal (never valid)."""
    form = form_class(request.POST)
    if _posted_for_someone_else(request, athlete):
        form.is_valid()
        form.add_error(None, NOT_YOURS)
    return form


def _soreness_labels(athlete) -> tuple[str, str]:
    injury = athlete.injuries.order_by("-occurred_on").first()
    if injury is None:
        return _("Soreness — most affected leg"), _("Soreness — other leg")
    # The side and the muscle group in one phrase ("Left hamstring"): the word order and the
    # agreement differ by language, so each pair is its own sentence.
    region = injury.muscle_group
    return (
        _("%(leg)s (injured side)") % {"leg": leg_words(injury.side, region)},
        leg_words(injury.uninjured_side, region),
    )


# "Left hamstring", "Right calf": a side and a muscle group together, translated as a whole
# (Spanish and French put the side after the muscle and make it agree with it).
LEG_WORDS = {
    ("left", "hamstring"): pgettext_lazy("injured leg", "Left hamstring"),
    ("right", "hamstring"): pgettext_lazy("injured leg", "Right hamstring"),
    ("left", "calf"): pgettext_lazy("injured leg", "Left calf"),
    ("right", "calf"): pgettext_lazy("injured leg", "Right calf"),
}


def leg_words(side: str, muscle_group: str) -> str:
    words = LEG_WORDS.get((side, muscle_group))
    if words is not None:
        return str(words)
    return f"{Side(side).label} {MuscleGroup(muscle_group).label.lower()}"


def _checkin_initial(existing) -> dict:
    initial = {"client_key": uuid.uuid4()}
    if existing is not None:
        initial.update(
            {
                name: getattr(existing, name)
                for name in CheckInForm.base_fields
                if hasattr(existing, name) and name not in ("client_key", "taken_at")
            }
        )
        initial.update(edit=existing.pk, taken_at=timezone.localtime(existing.taken_at))
    return initial


def _render_today(request, athlete, form, existing, *, status=200, feedback=None):
    injured, other = _soreness_labels(athlete)
    context = {
        "feedback": feedback,
        "athlete": athlete,
        "form": form,
        "existing": existing,
        "today": timezone.localdate(),
        "soreness_injured_label": injured,
        "soreness_other_label": other,
        "nav": "today",
    }
    return render(request, "me/today.html", context, status=status)


def _day(day) -> str:
    return date_format(day, "DATE_FORMAT")


def _conflict_form(request, existing) -> CheckInForm:
    """The posted answers, now editing the check-in that already holds their day, with a
    message that names that day: nothing is replaced until the athlete saves again."""
    data = request.POST.copy()
    data["edit"] = str(existing.pk)
    form = CheckInForm(data)
    form.is_valid()
    when = date_format(timezone.localtime(existing.taken_at), "TIME_FORMAT")
    form.add_error(
        None,
        _(
            "You already logged a check-in for %(day)s (at %(time)s). Your answers are below: "
            "save to change that day's check-in, or pick another time."
        )
        % {"day": _day(existing.local_date), "time": when},
    )
    return form


@athlete_page
@require_http_methods(["GET", "POST"])
def today(request, athlete):
    """Today's check-in: pain (three taps), optional soreness, sleep, confidence, readiness and
    note, one submit. Already logged today? The form edits that check-in. A time on another
    day that already has a check-in opens that day's check-in instead (never a silent
    replacement)."""
    now = timezone.now()
    if request.method == "GET":
        existing = checkin_on(athlete, timezone.localdate(now))
        # Something back for the check-in: shown while today's is logged, and once right
        # after saving one for another day (the POST below marks the session).
        feedback = None
        if request.session.pop(SAVED_KEY, False) or existing is not None:
            feedback = checkin_feedback(athlete, now=now)
        return _render_today(
            request,
            athlete,
            CheckInForm(initial=_checkin_initial(existing)),
            existing,
            feedback=feedback,
        )

    form = CheckInForm(request.POST)
    if _posted_for_someone_else(request, athlete):
        form.is_valid()
        form.add_error(None, NOT_YOURS)
        return _render_today(request, athlete, form, None, status=400)
    if form.is_valid():
        data = form.cleaned_data
        editing = None
        if data["edit"] is not None:
            editing = own_checkin(athlete, data["edit"])
        try:
            result = record_checkin(
                athlete,
                by=request.user,
                values=form.checkin_values(),
                taken_at=data["taken_at"],
                client_key=data["client_key"],
                editing=editing,
                now=now,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except CheckInConflict as conflict:
            form = _conflict_form(request, conflict.existing)
            return _render_today(request, athlete, form, conflict.existing, status=409)
        else:
            messages.success(request, _saved_message(result, today=timezone.localdate(now)))
            request.session[SAVED_KEY] = True
            return redirect("me:today")
    return _render_today(request, athlete, form, editing_or_none(athlete, form), status=400)


def _saved_message(result, *, today) -> str:
    day = result.checkin.local_date
    if result.created or result.replayed:
        if day == today:
            return _("Check-in saved. Thank you.")
        return _("Check-in for %(day)s saved.") % {"day": _day(day)}
    if day == today:
        return _("Today's check-in updated.")
    return _("Check-in for %(day)s updated.") % {"day": _day(day)}


def editing_or_none(athlete, form):
    """The check-in a re-shown form is editing (its hidden `edit`), if still the athlete's."""
    pk = form.cleaned_data.get("edit") if hasattr(form, "cleaned_data") else None
    return own_checkin(athlete, pk) if pk else None


def own_checkin(athlete, pk):
    """One of the athlete's own check-ins in force, or None (never anyone else's)."""
    return CheckIn.objects.filter(athlete=athlete, pk=pk).first()


@athlete_page
@require_http_methods(["GET", "POST"])
def checkin_edit(request, athlete, pk):
    """Correct one of your own past check-ins (from History). The audit trail keeps the
    values it had; flags and gates are evaluated again."""
    checkin = get_object_or_404(CheckIn.objects.filter(athlete=athlete), pk=pk)
    status = 200
    if request.method == "POST":
        form = _posted_form(request, athlete, CheckInForm)
        if form.is_valid():
            try:
                corrected = correct_checkin(
                    checkin,
                    by=request.user,
                    values=form.checkin_values(),
                    taken_at=form.cleaned_data["taken_at"] or checkin.taken_at,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except CheckInConflict as conflict:
                form.add_error(
                    "taken_at",
                    _("%(day)s already has a check-in: edit that one instead.")
                    % {"day": _day(conflict.existing.local_date)},
                )
            else:
                messages.success(
                    request,
                    _("Check-in for %(day)s updated.") % {"day": _day(corrected.local_date)},
                )
                return redirect("me:history")
        status = 400
    else:
        initial = _checkin_initial(checkin)
        form = CheckInForm(initial=initial)
    injured, other = _soreness_labels(athlete)
    context = {
        "athlete": athlete,
        "form": form,
        "checkin": checkin,
        "soreness_injured_label": injured,
        "soreness_other_label": other,
        "nav": "history",
    }
    return render(request, "me/checkin_edit.html", context, status=status)


@athlete_page
@require_safe
def plan(request, athlete):
    """Current phase and day in it, what is allowed today, the gates still to meet, open flags."""
    now = timezone.now()
    context = {
        "athlete": athlete,
        "summary": athlete_plan_summary(athlete, now=now),
        "flag_messages": athlete_flag_messages(athlete, now=now),
        "nav": "plan",
    }
    return render(request, "me/plan.html", context)


@athlete_page
@require_http_methods(["GET", "POST"])
def recovery(request, athlete):
    """Log recovery work in two taps: a kind, then a minutes chip (which submits)."""
    now = timezone.now()
    status = 200
    if request.method == "POST":
        form = _posted_form(request, athlete, RecoveryForm)
        if form.is_valid():
            try:
                # The form's fields are the service's arguments: kind, minutes, client_key.
                result = record_recovery(athlete, now=now, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                activity = result.activity
                messages.success(
                    request,
                    _("Logged: %(kind)s, %(minutes)s min.")
                    % {"kind": activity.get_kind_display(), "minutes": activity.minutes},
                )
                return redirect("me:recovery")
        status = 400
    else:
        form = RecoveryForm(initial={"client_key": uuid.uuid4()})
    today_work = list(recovery_on(athlete, timezone.localdate(now)))
    context = {
        "athlete": athlete,
        "form": form,
        "minutes_choices": RECOVERY_MINUTES,
        "today_work": today_work,
        "today_minutes": sum(a.minutes for a in today_work),
        "nav": "recovery",
    }
    return render(request, "me/recovery.html", context, status=status)


@athlete_page
@require_safe
def history(request, athlete):
    """Pain over the last eight weeks as a chart, and past check-ins, newest first, paginated."""
    # Every check-in as logged, voided ones marked (a coach voided it as entered in error).
    page = Paginator(
        CheckIn.all_objects.filter(athlete=athlete)
        .select_related("voided_by")
        .order_by("-local_date", "-id"),
        HISTORY_PAGE_SIZE,
        allow_empty_first_page=True,
    ).get_page(request.GET.get("page"))
    # The latest sessions with their 24-hour pain response (two queries for all of them).
    sessions = list(
        TrainingSession.objects.filter(athlete=athlete).order_by("-date", "-id")[:HISTORY_SESSIONS]
    )
    annotate_responses(sessions)
    thresholds = (
        Plan.objects.filter(athlete=athlete, status=Plan.Status.ACTIVE)
        .values_list("protocol__response_green_max", "protocol__response_amber_max")
        .first()
    ) or (DEFAULT_RESPONSE_GREEN_MAX, DEFAULT_RESPONSE_AMBER_MAX)
    context = {
        "athlete": athlete,
        "page": page,
        "sessions": sessions,
        "protocol_green": thresholds[0],
        "protocol_amber": thresholds[1],
        "series": pain_series(athlete, days=HISTORY_DAYS),
        "weeks": HISTORY_DAYS // 7,
        "nav": "history",
    }
    return render(request, "me/history.html", context)


@require_safe
def service_worker(request):
    """The service worker, served from the site root so its scope can cover /me/."""
    body = render_to_string("me/sw.js", request=request)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request):
    body = render_to_string("me/manifest.webmanifest", request=request)
    response = HttpResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "max-age=3600"
    return response
