"""The notification preferences form. It parses input only; the rules live in services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import EmailDelivery, NotificationPreference
from .reminders import time_zone_names

EMAIL_FIELDS = (
    "email_pain_persisting",
    "email_metric_regression",
    "email_missed_checkins",
    "email_intensity_above_phase",
    "email_retest_overdue",
    "email_pain_response",
)


class NotificationPreferenceForm(forms.ModelForm):
    """E-mail per flag kind, one e-mail per flag or a daily digest at a chosen time, and the
    language. `staff=False` (an athlete) keeps the language alone: athletes get no flag
    e-mails."""

    language = forms.ChoiceField(required=False, label=gettext_lazy("Language"))
    delivery = forms.ChoiceField(
        choices=EmailDelivery.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("How to send them"),
    )
    digest_time = forms.TimeField(
        label=gettext_lazy("Daily digest at (your time)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": gettext_lazy("Give a time of day such as 07:30.")},
    )

    time_zone = forms.ChoiceField(required=False, label=gettext_lazy("Your time zone"))

    class Meta:
        model = NotificationPreference
        fields = (*EMAIL_FIELDS, "delivery", "digest_time", "time_zone", "language")
        labels = {
            "email_pain_persisting": gettext_lazy("Pain above threshold"),
            "email_metric_regression": gettext_lazy("Metric regression"),
            "email_missed_checkins": gettext_lazy("Missed check-ins"),
            "email_intensity_above_phase": gettext_lazy("Faster than the phase allows"),
            "email_retest_overdue": gettext_lazy("Re-test overdue"),
            "email_pain_response": gettext_lazy("Red 24-hour pain response"),
        }

    def __init__(self, *args, staff=True, **kwargs):
        super().__init__(*args, **kwargs)
        # The languages the site offers (settings.LANGUAGES); blank is the site's own.
        site = dict(settings.LANGUAGES).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
        self.fields["language"].choices = [
            ("", _("The site's language (%(language)s)") % {"language": site})
        ] + [(code, name) for code, name in settings.LANGUAGES]
        self.fields["time_zone"].choices = [
            ("", _("The site's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE})
        ] + [(name, name) for name in time_zone_names()]
        if not staff:
            # An athlete's time zone is set beside their reminder (/me/reminders/).
            for name in (*EMAIL_FIELDS, "delivery", "digest_time", "time_zone"):
                del self.fields[name]

    @property
    def email_fields(self):
        return [self[name] for name in EMAIL_FIELDS if name in self.fields]
