"""Forms of the coach workspace: they parse input; the rules live in rehab.services.

Just over 400 lines: one declaration per form of the coach pages (phase actions, logging,
the protocol editor's formsets, the roster filter), no logic to split out."""

import json
import math

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from core.parsers import MAX_JSON_DEPTH, nests_deeper_than
from core.plausibility import validate_log_time
from monitoring.corrections import REASON_MAX, SESSION_FIELDS
from monitoring.models import Measurement, MetricKind, SprintStart, TrainingSession

from .models import PHASE_FIELDS, RULE_THRESHOLDS, Citation, GateCriterion, Phase, Protocol
from .selectors import ROSTER_SORTS, SORT_DIRECTIONS


def _phase_label(number: int) -> str:
    return gettext("Phase %(number)d") % {"number": number}


# Read when the page is drawn, in its language.
_lazy_phase_label = lazy(_phase_label, str)

PHASE_FILTER_CHOICES = [("", _("All phases"))] + [(str(n), _lazy_phase_label(n)) for n in range(7)]
PHASE_FILTER_CHOICES.append(("none", _("No active plan")))
ROSTER_SORT_CHOICES = [("", _("Who needs attention first"))] + [(key, key) for key in ROSTER_SORTS]


class RosterFilterForm(forms.Form):
    team = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Team"))
    phase = forms.ChoiceField(required=False, choices=PHASE_FILTER_CHOICES, label=_("Phase"))
    q = forms.CharField(required=False, max_length=80, label=_("Search"))
    # The column and direction the table is sorted by (its header links set them; the page
    # keeps them in hidden fields of this form, so a filter change keeps the order).
    sort = forms.ChoiceField(required=False, choices=ROSTER_SORT_CHOICES)
    dir = forms.ChoiceField(required=False, choices=[(d, d) for d in SORT_DIRECTIONS])

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", gettext("All teams"))] + [(t.pk, t.name) for t in teams]

    def filters(self) -> dict:
        """The valid filters; an invalid value is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        phase = data.get("phase") or None
        return {
            "team_id": data.get("team"),
            "phase": phase if phase in (None, "none") else int(phase),
            "q": data.get("q", ""),
            "sort": data.get("sort") or "",
            "direction": data.get("dir") or "asc",
        }


MAX_ID = 2**63 - 1  # PostgreSQL bigint: a larger id must be a form error, not a DataError


class AdvanceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ID)
    override = forms.BooleanField(required=False, label=_("Advance with an override"))
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason (required for an override)"),
    )


class RegressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ID)
    to_phase = forms.ModelChoiceField(queryset=Phase.objects.none(), label=_("Back to phase"))
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason")
    )
    flag = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
    )

    def __init__(self, *args, plan, **kwargs):
        kwargs.setdefault("auto_id", "regress_%s")
        super().__init__(*args, **kwargs)
        # Only the phases before the current one (rehab.services.regress_phase refuses others).
        self.fields["to_phase"].queryset = plan.earlier_phases()
        self.fields["to_phase"].label_from_instance = lambda p: f"{p.order}. {p.name}"


class AssignForm(forms.Form):
    """Start a plan: today at the first phase, or mid-rehab (a start date, and the phase the
    athlete is in since a date; both in the past: rehab.services.assign_protocol's rules)."""

    injury = forms.ModelChoiceField(queryset=None, label=_("Injury"))
    protocol = forms.ModelChoiceField(queryset=None, label=_("Protocol"))
    started_at = forms.DateField(
        required=False,
        label=_("Started on (empty: today)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phase = forms.IntegerField(
        required=False, min_value=0, max_value=50, label=_("In phase (empty: the first)")
    )
    phase_entered_at = forms.DateField(
        required=False,
        label=_("In that phase since (empty: the start)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, athlete, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["injury"].queryset = athlete.injuries.filter(
            plan__isnull=True, closed_on__isnull=True
        )
        # The newest open injury is the usual choice: selected, not a blank to fill.
        self.fields["injury"].empty_label = None
        # The athlete's team's own and the shipped templates (rehab.services.assign_protocol
        # refuses others).
        self.fields["protocol"].queryset = Protocol.objects.filter(
            Q(team__isnull=True) | Q(team_id=athlete.team_id)
        )


class FlagAcknowledgeForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, label=_("Note (optional)"))


class FlagResolveForm(forms.Form):
    note = forms.CharField(max_length=2000, label=_("What was done"))


class SessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = SESSION_FIELDS
        widgets = {
            # <input type="date"> shows only an ISO value (the locale's input format is d/m/Y).
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model fields' ranges (their validators) as the browser's min/max hints too.
        for field in self.fields.values():
            for validator in field.validators:
                if isinstance(validator, MinValueValidator):
                    field.widget.attrs["min"] = validator.limit_value
                elif isinstance(validator, MaxValueValidator):
                    field.widget.attrs["max"] = validator.limit_value


def correction_reason(help_text) -> forms.CharField:
    """The reason field of a correction form (monitoring.corrections says when it is needed)."""
    return forms.CharField(
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason for the correction"),
        help_text=help_text,
    )


class SessionCorrectionForm(SessionForm):
    reason = correction_reason(_("Required when someone else logged this session."))


def measured_at_field() -> forms.DateTimeField:
    """When a measurement or a sprint trial was taken: optional (now when empty), never in the
    future nor before the log's earliest date."""
    return forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for the current time."),
        label=_("Measured at"),
        validators=[validate_log_time],
    )


class MeasurementForm(forms.Form):
    metric = forms.ModelChoiceField(
        queryset=MetricKind.objects.all(), to_field_name="code", label=_("Metric")
    )
    value = forms.FloatField(label=_("Value"))
    side = forms.ChoiceField(
        choices=Measurement.MeasuredSide.choices, required=False, label=_("Side")
    )
    measured_at = measured_at_field()
    notes = forms.CharField(required=False, max_length=200, label=_("Notes"))

    def clean_value(self):
        value = self.cleaned_data["value"]
        if not math.isfinite(value):
            raise forms.ValidationError(gettext("Enter a finite number."))
        return value

    def clean(self):
        data = super().clean()
        metric = data.get("metric") or getattr(self, "metric", None)
        if metric is not None and "value" in data:
            for field, message in metric.value_errors(
                data["value"], data.get("side") or ""
            ).items():
                self.add_error(field, message)
        return data


class MeasurementCorrectionForm(MeasurementForm):
    """Correct a measurement's value, side, time or notes; the metric stays (void the entry
    and log the right one to change it)."""

    reason = correction_reason(_("Required when someone else logged this measurement."))

    def __init__(self, *args, metric, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric = metric
        del self.fields["metric"]
        if metric.is_pass_fail:
            self.fields["value"] = forms.TypedChoiceField(
                choices=[(1.0, gettext("Pass")), (0.0, gettext("Fail"))],
                coerce=float,
                label=gettext("Result"),
            )
        self.fields["measured_at"].required = True
        self.fields["measured_at"].help_text = ""


class VoidForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Why is this entry void?"),
        error_messages={"required": _("Say why this entry is void.")},
    )


class MeasurementImportForm(forms.Form):
    file = forms.FileField(required=False, label=_("CSV file"))
    # The previewed file, sent back on confirmation and checked again before anything is stored.
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    file_name = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # The preview's one-time key: confirming twice stores the file once.
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # The column map the preview read the file with (checked again: it is input like any).
    mapping = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)
    layout_name = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def clean_mapping(self):
        text = self.cleaned_data.get("mapping") or ""
        if not text:
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise forms.ValidationError(gettext("The column map is not valid JSON.")) from None

    def include_lines(self) -> set[int]:
        """Duplicate rows the coach ticked to import anyway (line numbers; others ignored)."""
        return {int(v) for v in self.data.getlist("include_lines") if v.isdigit() and len(v) < 8}


class ProtocolForm(forms.ModelForm):
    class Meta:
        model = Protocol
        fields = [
            "name",
            "description",
            "pain_threshold",
            "pain_persist_hours",
            "missed_checkin_days",
            "response_green_max",
            "response_amber_max",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pain_threshold"].validators += [MinValueValidator(1), MaxValueValidator(10)]
        self.fields["pain_persist_hours"].validators += [MinValueValidator(1)]
        self.fields["missed_checkin_days"].validators += [MinValueValidator(1)]
        for name in ("response_green_max", "response_amber_max"):
            self.fields[name].validators += [MaxValueValidator(10)]

    def clean(self):
        cleaned = super().clean()
        green, amber = cleaned.get("response_green_max"), cleaned.get("response_amber_max")
        if green is not None and amber is not None and green > amber:
            self.add_error(
                "response_amber_max",
                gettext("The amber limit cannot be below the green limit (%(green)s).")
                % {"green": green},
            )
        return cleaned

    # The team is set by the view, not the form, so Django's ModelForm skips the (team, name)
    # constraint: checked here, at the field.
    def clean_name(self):
        name = self.cleaned_data["name"]
        if self.name_taken(name):
            raise forms.ValidationError(self.name_taken_message(name), code="unique")
        return name

    def name_taken(self, name=None) -> bool:
        name = self.cleaned_data.get("name") if name is None else name
        return Protocol.name_taken(self.instance.team_id, name, exclude_pk=self.instance.pk)

    def name_taken_message(self, name=None) -> str:
        name = self.cleaned_data.get("name") if name is None else name
        return gettext(
            "Your team already has a protocol named “%(name)s”. Choose another name."
        ) % {"name": name}


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = PHASE_FIELDS
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 2}),
            "content": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_velocity_pct"].validators += [MaxValueValidator(100)]

    def clean(self):
        data = super().clean()
        low, high = data.get("typical_days_min"), data.get("typical_days_max")
        if low is not None and high is not None and high < low:
            self.add_error("typical_days_max", gettext("Must be at least the minimum."))
        return data


class GateForm(forms.ModelForm):
    class Meta:
        model = GateCriterion
        fields = ["kind", "metric", "threshold", "window", "description", "order"]

    def clean(self):
        from .models import METRIC_GATES, THRESHOLD_GATES, WINDOW_GATES, GateKind

        data = super().clean()
        kind = data.get("kind")
        if kind in METRIC_GATES and not data.get("metric"):
            self.add_error("metric", gettext("This kind of gate needs a metric."))
        if kind in THRESHOLD_GATES and data.get("threshold") is None:
            self.add_error("threshold", gettext("This kind of gate needs a threshold."))
        if kind in WINDOW_GATES and not data.get("window"):
            self.add_error(
                "window",
                gettext(
                    "This kind of gate needs a window (how many sessions, check-ins or sprints)."
                ),
            )
        threshold = data.get("threshold")
        if threshold is not None and not math.isfinite(threshold):
            self.add_error("threshold", gettext("Enter a finite number."))
        elif (
            kind == GateKind.SPEED_EXPOSURES and threshold is not None and not 0 < threshold <= 100
        ):
            self.add_error(
                "threshold",
                gettext("A share of pre-injury top speed: more than 0 and at most 100 (%)."),
            )
        return data


# Formsets' own messages for management data the page did not send (a stale or tampered form);
# each ends by saying to reload the page.
FORMSET_ERRORS = {
    "missing_management_form": _(
        "The form arrived incomplete. Reload the page and try again; nothing was saved."
    ),
    "too_many_forms": _(
        "The form sent more rows than the page had. Reload the page and try again; nothing was "
        "saved."
    ),
    "too_few_forms": _(
        "The form sent fewer rows than the page had. Reload the page and try again; nothing was "
        "saved."
    ),
}


class ProtocolPhaseFormSet(forms.BaseModelFormSet):
    """Exactly the protocol's phases: the editor changes them but never adds or removes one
    (a phase's order is the protocol's structure). A form count or a phase id the page did not
    send is a form error above the phases, not a new row."""

    default_error_messages = FORMSET_ERRORS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Also caps how many forms a POST can make the server build (absolute_max).
        self.min_num = self.max_num = self.absolute_max = len(self.get_queryset())

    def clean(self):
        stored = sorted(p.pk for p in self.get_queryset())
        sent = sorted((f.instance.pk or 0) for f in self.forms)
        if self.initial_form_count() != len(stored) or sent != stored:
            raise forms.ValidationError(
                gettext(
                    "The form does not match the protocol's phases. Reload the page and try "
                    "again; nothing was saved."
                )
            )


MAX_GATES_PER_PHASE = 20  # the shipped templates have at most 8


class PhaseGateFormSet(forms.BaseInlineFormSet):
    """One phase's gate criteria: edit, delete, add one. At most MAX_GATES_PER_PHASE forms are
    built or accepted (more than a phase already has, if the admin gave it more)."""

    default_error_messages = {
        **FORMSET_ERRORS,
        "too_many_forms": ngettext_lazy(
            "A phase has at most %(num)d gate. Reload the page and try again; nothing was saved.",
            "A phase has at most %(num)d gates. Reload the page and try again; nothing was saved.",
            "num",
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = len(self.get_queryset())
        self.max_num = self.absolute_max = max(MAX_GATES_PER_PHASE, stored + self.extra)

    def add_fields(self, form, index):
        """Each gate is a table row whose column heads are not labels: every field gets its
        accessible name ("Threshold, gate 2") for screen readers."""
        super().add_fields(form, index)
        for field in form.fields.values():
            name = (
                gettext("%(field)s, new gate") % {"field": field.label}
                if index is None
                else gettext("%(field)s, gate %(number)d")
                % {"field": field.label, "number": index + 1}
            )
            field.widget.attrs.setdefault("aria-label", name)


PhaseFormSet = forms.modelformset_factory(
    Phase,
    form=PhaseForm,
    formset=ProtocolPhaseFormSet,
    extra=0,
    can_delete=False,
    edit_only=True,
    validate_min=True,
    validate_max=True,
)
GateFormSet = forms.inlineformset_factory(
    Phase,
    GateCriterion,
    form=GateForm,
    formset=PhaseGateFormSet,
    extra=1,
    can_delete=True,
    validate_max=True,
)


CITATION_FIELDS = ["doi", "url", "note", "strength"]
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")


class CitationFieldsForm(forms.ModelForm):
    """A citation's own fields: a DOI or a web address, a one-line note, the strength of the
    evidence (the rules are the model's: rehab.models.Citation). The protocol editor's rows
    and an imported file's citations (rehab.protocol_format) are both read with it."""

    class Meta:
        model = Citation
        fields = CITATION_FIELDS

    def clean_doi(self):
        doi = self.cleaned_data["doi"].strip()
        # A DOI pasted as its link is the same DOI.
        for prefix in DOI_PREFIXES:
            if doi.lower().startswith(prefix):
                return doi[len(prefix) :].strip()
        return doi


def rule_label(rule: str) -> str:
    return str(Protocol._meta.get_field(rule).verbose_name).capitalize()


def gate_label(gate) -> str:
    return gettext("Phase %(order)s: %(gate)s") % {"order": gate.phase.order, "gate": gate}


def citation_targets(protocol) -> list[tuple[str, str]]:
    """What a citation of `protocol` may cite: its rule thresholds, then its gates by phase."""
    choices = [(f"rule:{r}", rule_label(r)) for r in RULE_THRESHOLDS]
    if protocol is not None and protocol.pk:
        gates = GateCriterion.objects.filter(phase__protocol=protocol).select_related("phase")
        choices += [
            (f"gate:{g.pk}", gate_label(g)) for g in gates.order_by("phase__order", "order", "id")
        ]
    return choices


class CitationForm(CitationFieldsForm):
    """One citation of the protocol editor: what it cites (a rule threshold or one of the
    protocol's gates) and its source."""

    target = forms.ChoiceField(label=_("Cites"))

    class Meta(CitationFieldsForm.Meta):
        fields = ["target", *CITATION_FIELDS, "order"]

    def __init__(self, *args, protocol=None, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is None:  # the formset reads them once for all its rows
            protocol = protocol or (self.instance.protocol if self.instance.protocol_id else None)
            targets = citation_targets(protocol)
        self.fields["target"].choices = targets
        if self.instance.pk:
            self.initial["target"] = (
                f"gate:{self.instance.gate_id}"
                if self.instance.gate_id
                else f"rule:{self.instance.rule}"
            )

    def clean_target(self):
        kind, _, value = self.cleaned_data["target"].partition(":")
        if kind == "gate":
            self.instance.rule, self.instance.gate_id = "", int(value)
        else:
            self.instance.rule, self.instance.gate = value, None
        return self.cleaned_data["target"]


MAX_CITATIONS = 100  # per protocol: the shipped ones have 40


class ProtocolCitationFormSet(forms.BaseInlineFormSet):
    """The protocol's citations: edit, delete, add one. Every row offers the protocol's own
    gates and rule thresholds to cite."""

    default_error_messages = FORMSET_ERRORS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = len(self.get_queryset())
        self.max_num = self.absolute_max = max(MAX_CITATIONS, stored + self.extra)
        self.form_kwargs = {**self.form_kwargs, "targets": citation_targets(self.instance)}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            name = (
                gettext("%(field)s, new citation") % {"field": field.label}
                if index is None
                else gettext("%(field)s, citation %(number)d")
                % {"field": field.label, "number": index + 1}
            )
            field.widget.attrs.setdefault("aria-label", name)


CitationFormSet = forms.inlineformset_factory(
    Protocol,
    Citation,
    form=CitationForm,
    formset=ProtocolCitationFormSet,
    extra=1,
    can_delete=True,
    validate_max=True,
)


MAX_PROTOCOL_FILE = 1_000_000  # bytes; a shipped template's file is about 25 kB


def _no_constant(name):
    raise ValueError(gettext("%(name)s is not a number JSON allows.") % {"name": name})


class ProtocolImportForm(forms.Form):
    """A protocol file to upload, the team it becomes a protocol of, and a name instead of the
    file's (optional). The file is read here as JSON; what it says is checked by
    rehab.protocol_format.import_protocol."""

    file = forms.FileField(label=_("Protocol file (.json)"))
    team = forms.TypedChoiceField(coerce=int, label=_("For team"))
    name = forms.CharField(
        required=False,
        max_length=120,
        label=_("Name (optional)"),
        help_text=_("Leave empty to keep the name in the file."),
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {t.pk: t for t in teams}
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]

    def clean_team(self):
        return self.teams[self.cleaned_data["team"]]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PROTOCOL_FILE:
            raise forms.ValidationError(
                gettext("The file is too large: a protocol file is at most 1 MB.")
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(gettext("The file is not UTF-8 text.")) from None
        if nests_deeper_than(text, MAX_JSON_DEPTH):
            raise forms.ValidationError(
                gettext("The file nests deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
            )
        try:
            self.cleaned_data["document"] = json.loads(text, parse_constant=_no_constant)
        except ValueError as error:
            raise forms.ValidationError(
                gettext("The file is not valid JSON: %(error)s") % {"error": error}
            ) from None
        return upload


class DecisionForm(forms.Form):
    """Approve or decline: nothing is pre-selected (PRODUCT.md §2.7)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
        label=_("Decision"),
        error_messages={"required": _("Choose approve or decline.")},
    )
    rationale = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Rationale"),
        error_messages={"required": _("Give the rationale for the decision.")},
    )
    restrictions = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Restrictions"),
        help_text=_("Optional: what stays limited, and for how long."),
    )
    supersede = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ClinicRegressForm(forms.Form):
    to_phase = forms.ModelChoiceField(queryset=None, label=_("Back to phase"))
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason")
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_phase"].queryset = plan.earlier_phases()
        self.fields["to_phase"].label_from_instance = lambda p: f"{p.order}. {p.name}"


# The rows the sprint form offers: enough for 5-10-20-30-40-60 m gates and a few more.
SPRINT_FORM_ROWS = 8


class SprintTrialForm(forms.Form):
    """One sprint trial as timing gates give it: split distances from the start line and the
    times at them. Empty rows are skipped; the rules (at least two splits, both rising, the
    start's run-in, body mass) are monitoring.sprints.record_sprint_trial's."""

    measured_at = measured_at_field()
    start = forms.ChoiceField(choices=SprintStart.choices, label=_("Start"))
    run_in_m = forms.FloatField(
        required=False, label=_("Run-in (m)"), help_text=_("Flying starts only.")
    )
    body_mass_kg = forms.FloatField(
        required=False,
        label=_("Body mass (kg)"),
        help_text=_("Optional: gives the force–velocity profile."),
    )
    notes = forms.CharField(required=False, max_length=200, label=_("Wind, surface, notes"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, SPRINT_FORM_ROWS + 1):
            self.fields[f"distance_{row}"] = forms.FloatField(
                required=False, label=_("Split %(row)s: distance (m)") % {"row": row}
            )
            self.fields[f"time_{row}"] = forms.FloatField(
                required=False, label=_("Split %(row)s: time (s)") % {"row": row}
            )

    @property
    def split_rows(self):
        return [
            (self[f"distance_{row}"], self[f"time_{row}"]) for row in range(1, SPRINT_FORM_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        splits = []
        for row in range(1, SPRINT_FORM_ROWS + 1):
            distance, time = data.get(f"distance_{row}"), data.get(f"time_{row}")
            if f"distance_{row}" in self.errors or f"time_{row}" in self.errors:
                continue
            if distance is None and time is None:
                continue
            if distance is None:
                self.add_error(f"distance_{row}", gettext("Give the distance of this split."))
            elif time is None:
                self.add_error(f"time_{row}", gettext("Give the time of this split."))
            else:
                splits.append({"distance_m": distance, "time_s": time})
        data["splits"] = splits
        return data
