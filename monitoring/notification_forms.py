"""The notification preferences form. It parses input only; the rules live in services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import EmailDelivery, NotificationPreference

EMAIL_FIELDS = ("email_pain_persisting", "email_metric_regression", "email_missed_checkins")


class NotificationPreferenceForm(forms.ModelForm):
    """E-mail per flag kind, one e-mail per flag or a daily digest at a chosen time, and the
    language. `staff=False` (an athlete) keeps the language alone: athletes get no flag
    e-mails."""

    language = forms.ChoiceField(required=False, label=_("Language"))
    delivery = forms.ChoiceField(
        choices=EmailDelivery.choices, widget=forms.RadioSelect, label=_("How to send them")
    )
    digest_time = forms.TimeField(
        label=_("Daily digest at (local time)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Give a time of day such as 07:30.")},
    )

    class Meta:
        model = NotificationPreference
        fields = (*EMAIL_FIELDS, "delivery", "digest_time", "language")
        labels = {
            "email_pain_persisting": _("Pain above threshold"),
            "email_metric_regression": _("Metric regression"),
            "email_missed_checkins": _("Missed check-ins"),
        }

    def __init__(self, *args, staff=True, **kwargs):
        super().__init__(*args, **kwargs)
        # The languages the site offers (settings.LANGUAGES); blank is the site's own.
        site = dict(settings.LANGUAGES).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
        self.fields["language"].choices = [
            ("", gettext("The site's language (%(language)s)") % {"language": site})
        ] + [(code, name) for code, name in settings.LANGUAGES]
        if not staff:
            for name in (*EMAIL_FIELDS, "delivery", "digest_time"):
                del self.fields[name]

    @property
    def email_fields(self):
        return [self[name] for name in EMAIL_FIELDS if name in self.fields]
