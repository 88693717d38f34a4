"""Forms of the athlete's phone pages. They parse input only; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RecoveryKind
from .services import CHECKIN_FIELDS

SCALE = [(i, str(i)) for i in range(11)]
SCALE_ERRORS = {
    "required": _("Tap a number from 0 to 10."),
    "invalid_choice": _("Choose a whole number from 0 to 10."),
}
RECOVERY_MINUTES = (5, 10, 15, 20, 30, 45, 60, 90)


def scale_field(label: str, *, required: bool = False, help_text: str = "") -> forms.Field:
    """A 0–10 score chosen by tapping (radio buttons styled as a segmented scale)."""
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE,
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages=SCALE_ERRORS,
        help_text=help_text,
    )


class CheckInForm(forms.Form):
    pain_rest = scale_field(_("Pain at rest"), required=True)
    pain_activity = scale_field(_("Pain during activity"), required=True)
    pain_morning = scale_field(
        _("Pain this morning"), required=True, help_text=_("When you got up.")
    )
    pain_location = forms.CharField(label=_("Where does it hurt?"), max_length=120, required=False)
    soreness_injured = scale_field(_("Soreness or tightness"))
    soreness_other = scale_field(_("Soreness or tightness"))
    sleep_hours = forms.DecimalField(
        label=_("Sleep (hours)"),
        required=False,
        min_value=0,
        max_value=24,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
        error_messages={
            "invalid": _("Enter hours as a number, e.g. 7.5."),
            "min_value": _("Sleep hours are between 0 and 24."),
            "max_value": _("Sleep hours are between 0 and 24."),
            "max_decimal_places": _("Use at most one decimal, e.g. 7.5."),
        },
    )
    sleep_quality = scale_field(_("Sleep quality"), help_text=_("0 very poor, 10 excellent."))
    confidence = scale_field(_("Confidence in the leg"), help_text=_("0 none, 10 complete."))
    readiness = scale_field(_("Ready to train"), help_text=_("0 not at all, 10 fully."))
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    taken_at = forms.DateTimeField(
        label=_("Logging for an earlier time?"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a date and time, e.g. 2025-05-01 07:30.")},
    )
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    edit = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def checkin_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in CHECKIN_FIELDS}


class RecoveryForm(forms.Form):
    """Two taps: a kind, then a minutes chip (the chip is the submit button)."""

    kind = forms.ChoiceField(
        choices=RecoveryKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Tap what you did first."),
            "invalid_choice": _("Choose one of the listed kinds of recovery."),
        },
    )
    minutes = forms.IntegerField(
        error_messages={
            "required": _("Tap how many minutes."),
            "invalid": _("Minutes must be a whole number."),
        }
    )
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
