"""Check-in reminders: the athlete's own page under /me/reminders/ (time, time zone, the
coach's suggestion, turning on notifications) and the coach's suggestion, posted from the
athlete page. Writes go through monitoring.reminders."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from athletes.access import athlete_page, get_athlete_for
from athletes.models import Role
from core.forms import add_service_errors
from monitoring import reminders
from monitoring.models import NotificationPreference
from monitoring.reminder_forms import ReminderForm, SuggestionForm
from rehab.views import athlete_page_context


def _time_zone_chosen(user) -> bool:
    return NotificationPreference.objects.filter(user=user).exclude(time_zone="").exists()


@athlete_page
@require_http_methods(["GET", "POST"])
def reminders_page(request, athlete):
    """Choose the daily reminder time and time zone (nothing stored unless both are valid),
    take the coach's suggestion, or turn reminders off."""
    reminder = reminders.reminder_of(athlete)
    zone_name = reminders.zone_name_of(request.user)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "accept":
        try:
            reminders.accept_suggestion(athlete)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Reminder set for %(time)s.") % {"time": _hhmm(athlete)})
        return redirect("me:reminders")
    if request.method == "POST":
        form = ReminderForm(request.POST)
        if form.is_valid():
            try:
                reminders.save_personal_settings(
                    request.user,
                    athlete,
                    time_zone=form.cleaned_data["time_zone"],
                    reminder_time=form.cleaned_data["time"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if form.cleaned_data["time"] is None:
                    messages.success(request, _("Reminders are off."))
                else:
                    messages.success(
                        request, _("Reminder set for %(time)s.") % {"time": _hhmm(athlete)}
                    )
                return redirect("me:reminders")
        status = 400
    else:
        form = ReminderForm(initial={"time": reminder.time, "time_zone": zone_name})
    context = {
        "athlete": athlete,
        "form": form,
        "reminder": reminder,
        "zone_name": zone_name,
        # No zone chosen yet: the page proposes the browser's (static/js/me.js).
        "zone_from_browser": not _time_zone_chosen(request.user),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "push_api": reverse("api-me-push-subscriptions"),
        "nav": "today",
    }
    return render(request, "me/reminders.html", context, status=status)


def _hhmm(athlete) -> str:
    time = reminders.reminder_of(athlete).time
    return time.strftime("%H:%M") if time else ""


@login_required
@require_POST
def suggest(request, pk):
    """A coach of the athlete's team suggests a reminder time (anyone else: 404)."""
    athlete = get_athlete_for(request.user, pk, roles=(Role.COACH,))
    form = SuggestionForm(request.POST)
    if form.is_valid():
        reminders.suggest_reminder_time(athlete, form.cleaned_data["time"], by=request.user)
        messages.success(
            request,
            _("Suggested a daily reminder at %(time)s to %(name)s.")
            % {"time": form.cleaned_data["time"].strftime("%H:%M"), "name": athlete.first_name},
        )
        return redirect(reverse("coach:athlete", args=[athlete.pk]) + "#reminder")
    # The athlete page again, with the error at the time field; nothing stored.
    context = {**athlete_page_context(request, athlete), "reminder_form": form}
    return render(request, "coach/athlete.html", context, status=400)
