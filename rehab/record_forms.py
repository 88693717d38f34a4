"""Forms of the athlete records (athlete, injury, closing, baselines): they parse input; the
rules live in athletes.services, monitoring.baselines and rehab.services."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from athletes.access import athlete_manager_teams
from athletes.models import Athlete, Injury
from athletes.services import ATHLETE_FIELDS, INJURY_FIELDS

DATE_INPUT = {"type": "date"}


def date_input():
    # <input type="date"> shows only an ISO value (the locale's input format is d/m/Y).
    return forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")


class AthleteForm(forms.ModelForm):
    class Meta:
        model = Athlete
        fields = [*ATHLETE_FIELDS, "team"]
        labels = {"events": _("Event / discipline")}
        widgets = {"date_of_birth": date_input()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the teams whose athletes the user manages (athletes.services checks again).
        self.fields["team"].queryset = athlete_manager_teams(user)
        self.fields["team"].empty_label = None

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "team"}


class InjuryForm(forms.ModelForm):
    class Meta:
        model = Injury
        # Closing an injury has its own form (InjuryCloseForm).
        fields = [f for f in INJURY_FIELDS if f != "closed_on"]
        labels = {
            "is_recurrence": _("A recurrence of an earlier injury"),
            "occurred_on": _("Date"),
        }
        widgets = {"occurred_on": date_input(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grade = self.fields["grade"]
        grade.validators.append(MaxValueValidator(4))
        grade.widget.attrs.update(min=0, max=4)

    def _post_clean(self):
        # athletes.services validates the whole row, with messages at the fields; the model's
        # own check here would repeat it as a message about a constraint's name.
        pass


class InjuryCloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=date_input())


class ArchiveForm(forms.Form):
    archived = forms.BooleanField(required=False, label=_("Archived"))
