"""The reminder forms: the athlete's own time and time zone, and the coach's suggestion.
They parse input only; the rules live in monitoring.reminders."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import reminders

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TIME_ERRORS = {"invalid": _("Give a time of day such as 07:30.")}


class ReminderForm(forms.Form):
    """Blank time: reminders off."""

    time = forms.TimeField(
        label=_("Remind me at"),
        required=False,
        widget=TIME_WIDGET,
        input_formats=["%H:%M"],
        error_messages=TIME_ERRORS,
        help_text=_("Leave empty for no reminder."),
    )
    time_zone = forms.ChoiceField(label=_("My time zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(n, n) for n in reminders.time_zone_names()]

    def clean_time_zone(self):
        try:
            return reminders.clean_time_zone(self.cleaned_data["time_zone"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class SuggestionForm(forms.Form):
    time = forms.TimeField(
        label=_("Suggest a daily reminder at"),
        widget=TIME_WIDGET,
        input_formats=["%H:%M"],
        error_messages={**TIME_ERRORS, "required": _("Give a time of day such as 07:30.")},
    )
