"""The protocol file: a protocol with its phases, gates and citations as versioned JSON
(docs/protocol-format.md). `export_document` writes one; `import_protocol` reads one into a
new protocol of a team, with the protocol editor's own forms for the rules (nothing stored
when any part is wrong)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from athletes.access import teams_for
from athletes.models import MuscleGroup, Role
from monitoring.models import MetricKind
from monitoring.rules import DEFAULT_RESPONSE_AMBER_MAX, DEFAULT_RESPONSE_GREEN_MAX

from .forms import CITATION_FIELDS, CitationFieldsForm, GateForm, PhaseForm, ProtocolForm
from .models import (
    PHASE_FIELDS,
    RULE_THRESHOLDS,
    Citation,
    EvidenceStrength,
    GateCriterion,
    Phase,
    Protocol,
    ProtocolChange,
    RetestSchedule,
)
from .protocol_log import record_change

FORMAT = "sprintback.protocol"
VERSION = 1  # the newest version this server reads and the one it writes

RULE_FIELDS = ("pain_threshold", "pain_persist_hours", "missed_checkin_days")
# The 24-hour pain response's thresholds: optional in a file (a file from before them imports
# with Silbernagel's defaults).
RESPONSE_FIELDS = ("response_green_max", "response_amber_max")
GATE_FIELDS = ("kind", "metric", "threshold", "window", "description", "order")
MAX_PHASES = 50
MAX_GATES = 20  # per phase, as the editor (rehab.forms.MAX_GATES_PER_PHASE)
MAX_CITATIONS = 10  # per threshold
SMALL = 32767  # PostgreSQL smallint


# --- writing ------------------------------------------------------------------------------------


def _citation(c: Citation) -> dict:
    return {f: getattr(c, f) for f in CITATION_FIELDS}


def export_document(protocol: Protocol, *, now=None) -> dict:
    """The protocol as a version-1 file: six queries, whatever its size."""
    protocol = Protocol.objects.prefetch_related(
        "phases",
        Prefetch("phases__retests", queryset=RetestSchedule.objects.select_related("metric")),
        Prefetch(
            "phases__gates",
            queryset=GateCriterion.objects.select_related("metric").prefetch_related("citations"),
        ),
        Prefetch("citations", queryset=Citation.objects.filter(gate=None)),
    ).get(pk=protocol.pk)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": (now or timezone.now()).isoformat(),
        "protocol": {
            "name": protocol.name,
            "muscle_group": protocol.muscle_group,
            "description": protocol.description,
            **{f: getattr(protocol, f) for f in (*RULE_FIELDS, *RESPONSE_FIELDS)},
            "citations": [{"rule": c.rule, **_citation(c)} for c in protocol.citations.all()],
            "phases": [
                {
                    "order": phase.order,
                    **{f: getattr(phase, f) for f in PHASE_FIELDS},
                    "gates": [
                        {
                            **{f: getattr(gate, f) for f in GATE_FIELDS if f != "metric"},
                            "metric": gate.metric.code if gate.metric_id else None,
                            "citations": [_citation(c) for c in gate.citations.all()],
                        }
                        for gate in phase.gates.all()
                    ],
                    "retests": [
                        {"metric": r.metric.code, "every_days": r.every_days}
                        for r in phase.retests.all()
                    ],
                }
                for phase in protocol.phases.all()
            ],
        },
    }


# --- reading ------------------------------------------------------------------------------------


def newer_version_message(version) -> str:
    return _("This file is format version %(version)s; this server reads up to %(newest)s.") % {
        "version": version,
        "newest": VERSION,
    }


def _form_errors(form) -> dict:
    """A form's errors as a serializer's, field by field ("non_field_errors" for the rest)."""
    if form.is_valid():
        return {}
    return {
        ("non_field_errors" if field == "__all__" else field): list(messages)
        for field, messages in form.errors.items()
    }


def _as_form_value(value):
    return "" if value is None else value


class FormRules:
    """A level of the file read with the protocol editor's own form (`form_for`), so the rules
    are the editor's. The form also runs when a field or a nested part already has an error,
    on what the file says, so that every error of a file shows at once."""

    def form_for(self, data):
        raise NotImplementedError

    def to_internal_value(self, data):
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict) or not isinstance(data, dict):
                raise
            more = _form_errors(self.form_for(data))
            raise serializers.ValidationError(
                {**{k: v for k, v in more.items() if k not in exc.detail}, **exc.detail}
            ) from None
        return value

    def validate(self, data):
        errors = _form_errors(self.form_for(data))
        if errors:
            raise serializers.ValidationError(errors)
        return data


def _fields(data, names) -> dict:
    return {f: _as_form_value(data.get(f)) for f in names}


class CitationDocument(FormRules, serializers.Serializer):
    doi = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    url = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    note = serializers.CharField(max_length=200)
    strength = serializers.ChoiceField(choices=EvidenceStrength.choices)

    def form_for(self, data):
        # The model's rules (DOI pattern, http(s) address, one line, a source unless none).
        return CitationFieldsForm(data=_fields(data, CITATION_FIELDS))

    def validate(self, data):
        form = self.form_for(data)
        errors = _form_errors(form)
        if errors:
            raise serializers.ValidationError(errors)
        return {**data, **{f: form.cleaned_data[f] for f in CITATION_FIELDS}}


class RuleCitationDocument(CitationDocument):
    rule = serializers.ChoiceField(choices=RULE_THRESHOLDS)


class RetestDocument(serializers.Serializer):
    metric = serializers.CharField(max_length=40, help_text="A metric code.")
    every_days = serializers.IntegerField(min_value=1, max_value=365)

    def validate_metric(self, code):
        metrics = self.context["metrics"]
        if code not in metrics:
            raise serializers.ValidationError(
                _("No metric has the code “%(code)s” (GET /api/v1/metrics/ lists them).")
                % {"code": code}
            )
        return metrics[code]


class GateDocument(FormRules, serializers.Serializer):
    kind = serializers.CharField(max_length=24, help_text="A gate kind's value (GateKind).")
    metric = serializers.CharField(
        required=False, allow_null=True, max_length=40, default=None, help_text="A metric code."
    )
    threshold = serializers.FloatField(required=False, allow_null=True, default=None)
    window = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=SMALL, default=None
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    order = serializers.IntegerField(required=False, min_value=0, max_value=SMALL, default=0)
    citations = CitationDocument(many=True, required=False, max_length=MAX_CITATIONS, default=[])

    def validate_metric(self, code):
        if code in (None, ""):
            return None
        metrics = self.context["metrics"]
        if code not in metrics:
            raise serializers.ValidationError(
                _("No metric has the code “%(code)s” (GET /api/v1/metrics/ lists them).")
                % {"code": code}
            )
        return metrics[code]

    def form_for(self, data):
        # The protocol editor's gate rules (a metric, threshold or window by kind).
        fields = _fields(data, GATE_FIELDS)
        metric = data.get("metric")
        if isinstance(metric, str):
            metric = self.context["metrics"].get(metric)
        fields["metric"] = metric.pk if isinstance(metric, MetricKind) else ""
        return GateForm(data=fields)


class PhaseDocument(FormRules, serializers.Serializer):
    order = serializers.IntegerField(min_value=0, max_value=MAX_PHASES)
    name = serializers.CharField(max_length=120)
    goals = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    content = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    allowed_intensity = serializers.CharField(max_length=120)
    max_velocity_pct = serializers.IntegerField(min_value=0, max_value=SMALL)
    longest_sprint_m = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=SMALL, default=None
    )
    typical_days_min = serializers.IntegerField(min_value=0, max_value=SMALL)
    typical_days_max = serializers.IntegerField(min_value=0, max_value=SMALL)
    needs_clinical_review = serializers.BooleanField(required=False, default=False)
    gates = GateDocument(many=True, required=False, max_length=MAX_GATES, default=[])
    retests = RetestDocument(many=True, required=False, max_length=MAX_GATES, default=[])

    def validate_retests(self, retests):
        codes = [r["metric"].code for r in retests]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError(_("Schedule each test once in a phase."))
        return retests

    def form_for(self, data):
        fields = _fields(data, PHASE_FIELDS)
        if fields["needs_clinical_review"] is not True:
            fields["needs_clinical_review"] = ""  # as an unticked box
        return PhaseForm(data=fields)


class ProtocolBody(FormRules, serializers.Serializer):
    name = serializers.CharField(max_length=120)
    muscle_group = serializers.ChoiceField(choices=MuscleGroup.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, default=""
    )
    pain_threshold = serializers.IntegerField(min_value=0, max_value=SMALL)
    pain_persist_hours = serializers.IntegerField(min_value=0, max_value=SMALL)
    missed_checkin_days = serializers.IntegerField(min_value=0, max_value=SMALL)
    response_green_max = serializers.IntegerField(
        min_value=0, max_value=SMALL, required=False, default=DEFAULT_RESPONSE_GREEN_MAX
    )
    response_amber_max = serializers.IntegerField(
        min_value=0, max_value=SMALL, required=False, default=DEFAULT_RESPONSE_AMBER_MAX
    )
    citations = RuleCitationDocument(
        many=True, required=False, max_length=MAX_CITATIONS * len(RULE_THRESHOLDS), default=[]
    )
    phases = PhaseDocument(many=True, min_length=1, max_length=MAX_PHASES)

    def validate_phases(self, phases):
        orders = [p["order"] for p in phases]
        if len(set(orders)) != len(orders):
            raise serializers.ValidationError(_("Each phase needs its own order number."))
        return sorted(phases, key=lambda p: p["order"])

    def form_for(self, data):
        # The editor's protocol rules, the team's name clash among them.
        fields = _fields(data, ("name", "description", *RULE_FIELDS))
        defaults = (DEFAULT_RESPONSE_GREEN_MAX, DEFAULT_RESPONSE_AMBER_MAX)
        for name, default in zip(RESPONSE_FIELDS, defaults, strict=True):
            fields[name] = _as_form_value(data.get(name, default))
        return ProtocolForm(data=fields, instance=Protocol(team=self.context["team"]))


class ProtocolDocument(serializers.Serializer):
    """A protocol file, version 1 (docs/protocol-format.md)."""

    format = serializers.CharField(max_length=40, help_text=f"Always “{FORMAT}”.")
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text=f"1; a newer one is refused (reads ≤ {VERSION}).",
    )
    exported_at = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="Informative only."
    )
    protocol = ProtocolBody()

    def validate_format(self, value):
        if value != FORMAT:
            raise serializers.ValidationError(
                _("This is not a Sprintback protocol file: “format” must be “%(format)s”.")
                % {"format": FORMAT}
            )
        return value

    def validate_version(self, value):
        if value > VERSION:
            raise serializers.ValidationError(newer_version_message(value))
        return value


class DocumentError(Exception):
    """A protocol file that cannot be imported: `errors` in the file's shape (as DRF's), and
    `paths`, the same messages by JSON path ("protocol.phases[2].gates[0].metric")."""

    def __init__(self, errors):
        super().__init__("The protocol file has errors.")
        self.errors = errors
        self.paths = dict(error_paths(errors))


def error_paths(errors, at=""):
    """(JSON path, messages) of every error of a nested DRF error structure."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "non_field_errors":
                yield from error_paths(value, at or "$")
            elif isinstance(key, int) or str(key).isdigit():  # a list's row, as DRF keys it
                yield from error_paths(value, f"{at}[{key}]")
            else:
                yield from error_paths(value, f"{at}.{key}" if at else str(key))
    elif isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        yield at or "$", [str(e) for e in errors]
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            if value:
                yield from error_paths(value, f"{at}[{index}]")


def _top_level_version(document):
    """A file's version when it is a whole number newer than ours: refused before anything
    else is read (a newer file's other fields may mean something else)."""
    if isinstance(document, dict):
        version = document.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            return version
    return None


def read_document(document, *, team) -> dict:
    """The validated contents of a file for `team`, or DocumentError."""
    newer = _top_level_version(document)
    if newer is not None:
        raise DocumentError({"version": [newer_version_message(newer)]})
    metrics = {m.code: m for m in MetricKind.objects.all()}
    body = ProtocolDocument(data=document, context={"team": team, "metrics": metrics})
    if not body.is_valid():
        raise DocumentError(body.errors)
    return body.validated_data["protocol"]


def import_protocol(document, *, team, by, name: str = "") -> Protocol:
    """A new protocol of `team` from a protocol file (its phases, gates and citations), with
    `name` instead of the file's when given. Coaches of the team only. Stores nothing when
    any part of the file is wrong (DocumentError, its messages at their JSON paths)."""
    if not teams_for(by, [Role.COACH]).filter(pk=team.pk).exists():
        raise PermissionDenied(_("Only a coach of the team can import a protocol for it."))
    if name and isinstance(document, dict) and isinstance(document.get("protocol"), dict):
        document = {**document, "protocol": {**document["protocol"], "name": name}}
    spec = read_document(document, team=team)
    try:
        with transaction.atomic():
            protocol = _create(spec, team)
            record_change(
                protocol,
                by=by,
                kind=ProtocolChange.Kind.IMPORT,
                changes=[{"what": "Imported from a protocol file", "before": None, "after": None}],
            )
    except IntegrityError:
        if not Protocol.name_taken(team.pk, spec["name"]):
            raise
        raise DocumentError(
            {
                "protocol": {
                    "name": [
                        ProtocolForm(instance=Protocol(team=team)).name_taken_message(spec["name"])
                    ]
                }
            }
        ) from None
    return protocol


def _create(spec: dict, team) -> Protocol:
    protocol = Protocol.objects.create(
        team=team,
        is_template=False,
        name=spec["name"],
        muscle_group=spec["muscle_group"],
        description=spec["description"],
        **{f: spec[f] for f in (*RULE_FIELDS, *RESPONSE_FIELDS)},
    )
    citations = [Citation(protocol=protocol, order=n, **c) for n, c in enumerate(spec["citations"])]
    for phase_spec in spec["phases"]:
        phase = Phase.objects.create(
            protocol=protocol,
            order=phase_spec["order"],
            **{f: phase_spec[f] for f in PHASE_FIELDS},
        )
        for gate_spec in phase_spec["gates"]:
            gate = GateCriterion.objects.create(
                phase=phase, **{f: gate_spec[f] for f in GATE_FIELDS}
            )
            citations += [
                Citation(protocol=protocol, gate=gate, order=n, **c)
                for n, c in enumerate(gate_spec["citations"])
            ]
        RetestSchedule.objects.bulk_create(
            RetestSchedule(phase=phase, metric=r["metric"], every_days=r["every_days"])
            for r in phase_spec["retests"]
        )
    Citation.objects.bulk_create(citations)
    return protocol
