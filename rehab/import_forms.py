"""Forms of the CSV import's column mapping and of an athlete's device ids: they parse input;
the rules are monitoring.column_maps.clean_mapping, monitoring.import_profiles.save_profile and
athletes.services.set_external_id."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from athletes.access import teams_for
from athletes.models import STAFF_ROLES
from core.forms import add_service_errors
from monitoring import units
from monitoring.column_maps import MAX_NAME, clean_mapping, normalise_header
from monitoring.models import MetricKind, SprintStart

ATHLETE_BY_CHOICES = [
    ("name", _("Name, as on the roster (First Last)")),
    ("id", _("Sprintback athlete id")),
    ("external", _("Device id (set on the athlete's record)")),
]
TIME_FORMAT_CHOICES = [
    ("iso", _("2026-11-20 09:30 (ISO)")),
    ("dmy", _("20.11.2026 09:30 (day first)")),
    ("mdy", _("11/20/2026 09:30 (month first)")),
]
START_CHOICES = [(SprintStart.STANDING, _("Standing")), (SprintStart.CROUCH, _("Crouch"))]
# clean_mapping's error keys → the field showing them (None: at the top of the form).
ERROR_FIELDS = {
    "athlete": "athlete_column",
    "time": "time_column",
    "metric": "metric_code",
    "value": "value_column",
    "unit": "unit",
    "side": "side_column",
    "start": "start",
    "splits": None,
    "split_distance": "split_distance_column",
    "mapping": None,
}


class ColumnMapForm(forms.Form):
    """One select per column role, listing the file's columns; a distance per column for
    split times; and, optionally, a name to save the map as the team's import profile."""

    athlete_column = forms.ChoiceField(label=_("Athlete column"))
    athlete_by = forms.ChoiceField(label=_("The athlete column holds"), choices=ATHLETE_BY_CHOICES)
    athlete_system = forms.CharField(
        label=_("Device system of the ids"),
        required=False,
        max_length=60,
        help_text=_("For device ids only, e.g. 1080 Motion."),
    )
    time_column = forms.ChoiceField(label=_("Date column"))
    time_format = forms.ChoiceField(label=_("Date format"), choices=TIME_FORMAT_CHOICES)
    metric_code = forms.ChoiceField(label=_("Metric of every row"), required=False)
    metric_column = forms.ChoiceField(label=_("…or a column of metric codes"), required=False)
    value_column = forms.ChoiceField(label=_("Value column"), required=False)
    unit = forms.ChoiceField(label=_("Unit of the values"), required=False)
    unit_column = forms.ChoiceField(label=_("…or a unit column"), required=False)
    side_column = forms.ChoiceField(label=_("Side column (optional)"), required=False)
    split_distance_column = forms.ChoiceField(
        label=_("…or one split a row: the split's distance column (m)"),
        required=False,
        help_text=_("The value column then holds the split's time; rows of one athlete at one "
                    "time make one sprint trial."),
    )  # fmt: skip
    start = forms.ChoiceField(label=_("Sprint start"), choices=START_CHOICES, required=False)
    name = forms.CharField(
        label=_("Save this map as the team's profile named"),
        required=False,
        max_length=80,
        help_text=_("The next file with these columns then imports with no mapping."),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False, empty_label=None)

    def __init__(self, *args, header, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.header = [str(h)[:MAX_NAME] for h in header]
        columns = [(h, h) for h in dict.fromkeys(self.header) if h]
        optional = [("", "—"), *columns]
        self.fields["athlete_column"].choices = columns
        self.fields["time_column"].choices = columns
        for name in (
            "metric_column", "value_column", "unit_column", "side_column", "split_distance_column"
        ):  # fmt: skip
            self.fields[name].choices = optional
        self.fields["metric_code"].choices = [("", "—")] + [
            (m.code, f"{m.name} ({m.unit})") for m in MetricKind.objects.order_by("name")
        ]
        self.fields["unit"].choices = [("", "—")] + [(u, u) for u in units.CHOICES]
        self.split_names = []
        for index, column in enumerate(dict.fromkeys(self.header)):
            if not column:
                continue
            name = f"split_{index}"
            self.fields[name] = forms.FloatField(
                label=_("“%(column)s” holds a split time at (m)") % {"column": column},
                required=False,
                min_value=1,
                max_value=400,
            )
            self.fields[name].column = column
            self.split_names.append(name)
        self.fields["team"].queryset = teams_for(user, STAFF_ROLES)
        # The split columns next to the start they were run from; saving the map comes last.
        last = ("split_distance_column", "start", "name", "team")
        self.order_fields([*(f for f in self.fields if f not in last), *last])

    def set_initial(self, mapping: dict) -> None:
        """Prefill the form from a (partial) map, e.g. a shipped vendor layout's."""
        by_name = {normalise_header(h): h for h in self.header}

        def column(part, key="column"):
            spec = mapping.get(part) or {}
            return by_name.get(normalise_header(spec.get(key) or ""), "")

        self.initial.update(
            athlete_column=column("athlete"),
            time_column=column("time"),
            metric_column=column("metric"),
            metric_code=(mapping.get("metric") or {}).get("code", ""),
            value_column=column("value"),
            unit=units.normalise((mapping.get("unit") or {}).get("unit") or "") or "",
            unit_column=column("unit"),
            side_column=column("side"),
            split_distance_column=column("split_distance"),
        )
        for name, distance in (mapping.get("splits") or {}).items():
            for field_name in self.split_names:
                if normalise_header(self.fields[field_name].column) == normalise_header(name):
                    self.initial[field_name] = distance

    def mapping(self) -> dict:
        data = self.cleaned_data
        mapping = {
            "athlete": {"column": data.get("athlete_column"), "by": data.get("athlete_by")},
            "time": {"column": data.get("time_column"), "format": data.get("time_format")},
        }
        if data.get("athlete_by") == "external":
            mapping["athlete"]["system"] = data.get("athlete_system", "")
        splits = {
            self.fields[name].column: data[name]
            for name in self.split_names
            if data.get(name) is not None
        }
        if data.get("split_distance_column"):
            mapping["split_distance"] = {"column": data["split_distance_column"]}
            mapping["value"] = {"column": data.get("value_column", "")}
            mapping["start"] = data.get("start") or SprintStart.STANDING
        elif splits:
            mapping["splits"] = splits
            mapping["start"] = data.get("start") or SprintStart.STANDING
        else:
            mapping["metric"] = (
                {"code": data["metric_code"]}
                if data.get("metric_code")
                else {"column": data.get("metric_column", "")}
            )
            mapping["value"] = {"column": data.get("value_column", "")}
        if data.get("unit") or data.get("unit_column"):
            mapping["unit"] = {"unit": data.get("unit", ""), "column": data.get("unit_column", "")}
        if data.get("side_column"):
            mapping["side"] = {"column": data["side_column"]}
        return mapping

    def clean(self):
        super().clean()
        if self.errors:
            return self.cleaned_data
        try:
            clean_mapping(self.mapping(), self.header)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                self.add_error(ERROR_FIELDS.get(key), messages)
        return self.cleaned_data

    def mapping_json(self) -> str:
        return json.dumps(self.mapping())

    def show_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


class ExternalIdForm(forms.Form):
    system = forms.CharField(
        label=_("Device system"), max_length=60, help_text=_("e.g. 1080 Motion")
    )
    external_id = forms.CharField(
        label=_("Athlete's id in it"),
        max_length=80,
        required=False,
        help_text=_("Empty removes the athlete's id in that system."),
    )
