"""REST API v1 for protocols, plans and sign-off (requests by coaches, decisions by
clinicians: the same services as the pages)."""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from athletes.access import IsStaffOrReadOnlyAthlete, protocols_for, scoped, teams_for
from athletes.models import Athlete, Injury, Role
from core.api import Conflict, django_errors
from core.serializers import DateTimeField, IdField, ModelSerializer, PersonNameField
from core.viewsets import CreateListRetrieveViewSet
from monitoring.api import CheckInSerializer, CheckInViewSet
from monitoring.models import Flag

from . import services
from .checkin_feedback import checkin_feedback
from .models import (
    PHASE_CHANGE_FIELDS,
    PHASE_FIELDS,
    RULE_THRESHOLDS,
    Citation,
    GateCriterion,
    Phase,
    PhaseChange,
    Plan,
    Protocol,
    SignOffDecision,
    SignOffRequest,
)
from .protocol_format import DocumentError, ProtocolDocument, export_document, import_protocol
from .signoff import SignOffConflict, decide_signoff, request_signoff


class CitationSerializer(ModelSerializer):
    link = serializers.CharField(read_only=True, help_text="The DOI's resolver or the address.")
    # Blank for a gate's citation: the schema says so (a plain enum would refuse "").
    rule = serializers.ChoiceField(
        choices=[(f, f) for f in RULE_THRESHOLDS],
        allow_blank=True,
        read_only=True,
        help_text="The rule threshold cited (pain_threshold, …); empty for a gate's citation.",
    )

    class Meta:
        model = Citation
        fields = ["id", "rule", "doi", "url", "link", "note", "strength"]
        read_only_fields = fields


class GateSerializer(ModelSerializer):
    metric = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = GateCriterion
        fields = ["id", "kind", "metric", "threshold", "window", "description", "citations"]


class PhaseSerializer(ModelSerializer):
    gates = GateSerializer(many=True, read_only=True)

    class Meta:
        model = Phase
        fields = ["id", "order", *PHASE_FIELDS, "gates"]


class ProtocolSerializer(ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)
    rule_citations = serializers.SerializerMethodField(
        help_text="Where the rule thresholds (pain_threshold, …) come from."
    )

    class Meta:
        model = Protocol
        fields = [
            "id",
            "name",
            "muscle_group",
            "team",
            "is_template",
            "based_on",
            "description",
            "pain_threshold",
            "pain_persist_hours",
            "missed_checkin_days",
            "response_green_max",
            "response_amber_max",
            "rule_citations",
            "phases",
        ]

    @extend_schema_field(CitationSerializer(many=True))
    def get_rule_citations(self, protocol):
        cited = [c for c in protocol.citations.all() if not c.gate_id]
        return CitationSerializer(cited, many=True).data


TEAM_PARAMETER = OpenApiParameter(
    "team", int, description="The team to import into (needed when you coach several)."
)
NAME_PARAMETER = OpenApiParameter(
    "name", str, description="A name for the new protocol instead of the file's."
)


class ProtocolViewSet(viewsets.ReadOnlyModelViewSet):
    """The shipped templates, your teams' own protocols (an athlete: their own plan's), with
    phases, gate criteria and the citations of their thresholds. A protocol exports to a
    versioned JSON file (`export/`), and a file imports as a new protocol of your team
    (`import/`): docs/protocol-format.md."""

    serializer_class = ProtocolSerializer
    filterset_fields = ["muscle_group", "is_template"]
    ordering = ["muscle_group", "name"]

    def get_queryset(self):
        readable = protocols_for(self.request.user, Protocol.objects.all())
        if self.action == "export":  # export_document reads the rest itself
            return readable
        return readable.prefetch_related(
            "phases__gates__metric", "phases__gates__citations", "citations"
        )

    @extend_schema(responses={200: ProtocolDocument}, summary="Export a protocol as a file")
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None, format=None):
        """The protocol as a version-1 protocol file, citations included."""
        protocol = self.get_object()
        return Response(export_document(protocol))

    @extend_schema(
        request=ProtocolDocument,
        parameters=[TEAM_PARAMETER, NAME_PARAMETER],
        responses={201: ProtocolSerializer, 400: OpenApiResponse(description="The file's errors.")},
        summary="Import a protocol file as a new team protocol (coaches)",
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request, format=None):
        """A protocol file (as `export/` gives it) becomes a new protocol of your team. A
        malformed file answers 400 with the errors in the file's shape and under `paths`
        by JSON path; a file of a newer format version is refused; nothing is stored."""
        team = importing_team(request.user, request.query_params.get("team"))
        name = request.query_params.get("name", "")[:120].strip()
        try:
            protocol = import_protocol(request.data, team=team, by=request.user, name=name)
        except DocumentError as exc:
            body = exc.errors if isinstance(exc.errors, dict) else {"non_field_errors": exc.errors}
            return Response({**body, "paths": exc.paths}, status=400)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        fresh = self.get_queryset().get(pk=protocol.pk)
        return Response(ProtocolSerializer(fresh).data, status=201)


def importing_team(user, given):
    """The team a file is imported into: the one named by `team` among those the user
    coaches, or their only one. 403 for someone who coaches no team; 400 when it is unclear."""
    coached = teams_for(user, [Role.COACH])
    if given not in (None, ""):
        team = coached.filter(pk=positive_id(given)).first()
        if team is None:
            raise serializers.ValidationError({"team": ["Choose one of the teams you coach."]})
        return team
    teams = list(coached[:2])
    if not teams:
        raise PermissionDenied("Only a coach of a team can import a protocol for it.")
    if len(teams) > 1:
        raise serializers.ValidationError(
            {"team": ["You coach several teams: say which one with ?team=<id>."]}
        )
    return teams[0]


def positive_id(value) -> int:
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 19 else 0


class PhaseChangeSerializer(ModelSerializer):
    changed_by_name = PersonNameField(source="changed_by")

    class Meta:
        model = PhaseChange
        fields = ["id", *PHASE_CHANGE_FIELDS, "changed_by_name"]


class PlanSerializer(ModelSerializer):
    current_phase = PhaseSerializer(read_only=True)
    phase_changes = PhaseChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "athlete",
            "injury",
            "protocol",
            "status",
            "current_phase",
            "started_at",
            "phase_entered_at",
            "version",
            "phase_changes",
        ]
        read_only_fields = fields


class PlanCreateSerializer(serializers.Serializer):
    injury = IdField(queryset=Injury.objects.none())
    protocol = IdField(queryset=Protocol.objects.none())
    started_at = DateTimeField(
        required=False, help_text="When the plan started (past only); defaults to now."
    )
    phase = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=50,
        help_text="Mid-rehab start: the order of the phase the athlete is in (default: first).",
    )
    phase_entered_at = DateTimeField(
        required=False,
        help_text="Mid-rehab start: since when the athlete is in `phase` (past only, not "
        "before `started_at`); defaults to `started_at`.",
    )

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        fields["injury"].queryset = scoped(Injury.objects.all(), user)
        fields["protocol"].queryset = protocols_for(user, Protocol.objects.all())
        return fields


class AdvanceSerializer(serializers.Serializer):
    override = serializers.BooleanField(default=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    expected_version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class RegressSerializer(serializers.Serializer):
    to_phase = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=50,
        help_text="Order of the earlier phase (0–5); defaults to a pain flag's proposal.",
    )
    reason = serializers.CharField(max_length=2000)
    flag = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    expected_version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class AdvanceOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["advanced", "review_requested"])
    message = serializers.CharField()
    signoff = serializers.IntegerField(allow_null=True)
    plan = PlanSerializer()


class PlanViewSet(CreateListRetrieveViewSet):
    """Rehab plans with the current phase and the history of every phase entered. Coaches
    start a plan (an injury + a protocol), advance it and regress it; clinicians regress."""

    serializer_class = PlanSerializer
    permission_classes = [IsStaffOrReadOnlyAthlete]
    filterset_fields = ["athlete", "status"]
    ordering = ["-started_at"]

    def get_queryset(self):
        return scoped(Plan.objects.all(), self.request.user).prefetch_related(
            "current_phase__gates__metric",
            "current_phase__gates__citations",
            "phase_changes__changed_by",
        )

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except services.PhaseConflict as exc:
            raise Conflict(str(exc)) from None

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request, *args, **kwargs):
        body = PlanCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        plan = self._call(
            services.assign_protocol,
            data["injury"],
            data["protocol"],
            by=request.user,
            started_at=data.get("started_at"),
            phase=data.get("phase"),
            phase_entered_at=data.get("phase_entered_at"),
        )
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=201)

    @extend_schema(request=AdvanceSerializer, responses=AdvanceOutcomeSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None, format=None):
        """Advance to the next phase: every gate met, or `override` with a `reason`. Entering a
        phase that needs clinical review creates a sign-off request instead."""
        plan = self.get_object()
        body = AdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = self._call(services.advance_phase, plan, by=request.user, **body.validated_data)
        return Response(
            {
                "outcome": result.outcome,
                "message": result.message,
                "signoff": result.signoff_request.pk if result.signoff_request else None,
                "plan": PlanSerializer(self.get_queryset().get(pk=plan.pk)).data,
            }
        )

    @extend_schema(request=RegressSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def regress(self, request, pk=None, format=None):
        """Go back to an earlier phase, with a reason (or to a pain flag's proposed phase)."""
        plan = self.get_object()
        body = RegressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        to_phase = None
        if "to_phase" in data:
            to_phase = plan.protocol.phases.filter(order=data["to_phase"]).first()
            if to_phase is None:
                raise serializers.ValidationError({"to_phase": "No such phase in this protocol."})
        flag = None
        if "flag" in data:
            flag = Flag.objects.filter(pk=data["flag"], athlete_id=plan.athlete_id).first()
            if flag is None:
                raise serializers.ValidationError({"flag": "No such flag for this athlete."})
        self._call(
            services.regress_phase,
            plan,
            to_phase=to_phase,
            by=request.user,
            reason=data["reason"],
            flag=flag,
            expected_version=data.get("expected_version"),
        )
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk)).data)


class SignOffDecisionSerializer(ModelSerializer):
    decided_by_name = PersonNameField(source="decided_by")

    class Meta:
        model = SignOffDecision
        fields = [
            "id",
            "decision",
            "rationale",
            "restrictions",
            "decided_by",
            "decided_by_name",
            "decided_role",
            "decided_at",
            "supersedes",
        ]
        read_only_fields = fields


class SignOffSerializer(ModelSerializer):
    athlete = serializers.IntegerField(source="plan.athlete_id", read_only=True)
    decisions = SignOffDecisionSerializer(many=True, read_only=True)
    requested_by_name = PersonNameField(source="requested_by")

    class Meta:
        model = SignOffRequest
        fields = [
            "id",
            "plan",
            "athlete",
            "kind",
            "target_phase",
            "status",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "note",
            "evidence",
            "decisions",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class ScopedPlanField(IdField):
    """A plan id in the requesting user's scope: another team's plan is reported exactly like
    an id that does not exist."""

    def get_queryset(self):
        return scoped(Plan.objects.all(), self.context["request"].user)


class SignOffRequestBody(serializers.Serializer):
    plan = ScopedPlanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class SignOffDecideBody(serializers.Serializer):
    decision = serializers.ChoiceField(choices=SignOffDecision.Decision.choices)
    rationale = serializers.CharField(max_length=4000)
    restrictions = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    supersede = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required to decide a request that was already decided: the new decision "
        "supersedes the earlier one, which stays on record.",
    )


class SignOffFilter(django_filters.FilterSet):
    athlete = django_filters.NumberFilter(field_name="plan__athlete_id")

    class Meta:
        model = SignOffRequest
        fields = ["athlete", "plan", "status", "kind"]


class SignOffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sign-off requests (phase reviews and return to play) with their decisions."""

    serializer_class = SignOffSerializer
    permission_classes = [IsStaffOrReadOnlyAthlete]
    filterset_class = SignOffFilter
    ordering = ["-requested_at"]

    def get_queryset(self):
        return (
            scoped(SignOffRequest.objects.all(), self.request.user, via="plan__athlete")
            .select_related("plan__athlete", "requested_by")
            .prefetch_related("decisions__decided_by")
        )

    def _respond(self, request_obj, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=request_obj.pk)
        return Response(SignOffSerializer(fresh).data, status=code)

    @extend_schema(
        request=SignOffRequestBody,
        responses={201: SignOffSerializer, 409: OpenApiResponse(description="One is pending.")},
        summary="Request return-to-play sign-off (coaches)",
    )
    def create(self, request, format=None):
        """A coach of the athlete's team asks for the return-to-play decision, from the last
        phase before maintenance with every gate met. The request snapshots the evidence."""
        body = SignOffRequestBody(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            made = request_signoff(
                body.validated_data["plan"],
                by=request.user,
                note=body.validated_data.get("note", ""),
            )
        except SignOffConflict as exc:
            raise Conflict(str(exc)) from None
        except DjangoValidationError as exc:
            raise django_errors(exc) from None
        return self._respond(made, status.HTTP_201_CREATED)

    @extend_schema(
        request=SignOffDecideBody,
        responses={
            200: SignOffSerializer,
            409: OpenApiResponse(description="Already decided (send supersede) or withdrawn."),
        },
        summary="Approve or decline a sign-off request (clinicians)",
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        """A clinician of the athlete's team approves or declines, with a rationale and any
        restrictions. Approval is refused (400) while the athlete has an unresolved flag, and
        moves the plan into the target phase. Decisions are never edited or deleted."""
        signoff = self.get_object()
        body = SignOffDecideBody(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decide_signoff(signoff, by=request.user, **body.validated_data)
        except SignOffConflict as exc:
            raise Conflict(str(exc)) from None
        except DjangoValidationError as exc:
            raise django_errors(exc) from None
        return self._respond(signoff)


# --- the check-in, answered with feedback ------------------------------------------------------
# The check-in endpoint is monitoring's (monitoring.api.CheckInViewSet); what the athlete gets
# back reads the gate engine, which sits above monitoring, so the endpoint registered under
# /api/v1/checkins/ is this subclass: the same fields and behaviour, plus a read-only `feedback`.


class FeedbackPainSerializer(serializers.Serializer):
    this_week = serializers.IntegerField(
        allow_null=True, help_text="Worst pain (0–10) of the last 7 local days, today included."
    )
    last_week = serializers.IntegerField(
        allow_null=True, help_text="Worst pain (0–10) of the 7 days before."
    )
    text = serializers.CharField()


class FeedbackStreakSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="Consecutive local days with a check-in.")
    text = serializers.CharField()


class FeedbackGateSerializer(serializers.Serializer):
    gate_id = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True, help_text="met, not_met or missing.")
    text = serializers.CharField(help_text="The result in the athlete's own words.")


class FeedbackNextPhaseSerializer(serializers.Serializer):
    order = serializers.IntegerField(allow_null=True, help_text="null in the plan's last phase.")
    name = serializers.CharField()
    needs_clinical_review = serializers.BooleanField()
    met = serializers.IntegerField()
    total = serializers.IntegerField()
    text = serializers.CharField()
    remaining = FeedbackGateSerializer(many=True, help_text="The gates not met yet.")


class CheckInFeedbackSerializer(serializers.Serializer):
    pain = FeedbackPainSerializer()
    streak = FeedbackStreakSerializer()
    next_phase = FeedbackNextPhaseSerializer(allow_null=True, help_text="null without a plan.")
    flags = serializers.ListField(
        child=serializers.CharField(), help_text="Open flags, each saying who has been told."
    )
    lines = serializers.ListField(
        child=serializers.CharField(), help_text="Every line above, in the page's order."
    )


@extend_schema_serializer(component_name="CheckIn")
class CheckInWithFeedbackSerializer(CheckInSerializer):
    # Filled in by CheckInFeedbackViewSet.create once the check-in has committed; every other
    # answer (lists, a correction, a void) carries null.
    feedback = serializers.SerializerMethodField(
        help_text=(
            "What the athlete's data shows after this check-in (rehab.checkin_feedback): in "
            "the response to a POST; null elsewhere."
        )
    )

    @extend_schema_field(CheckInFeedbackSerializer(allow_null=True))
    def get_feedback(self, checkin):
        return None


class CheckInFeedbackViewSet(CheckInViewSet):
    __doc__ = CheckInViewSet.__doc__
    serializer_class = CheckInWithFeedbackSerializer

    def create(self, request, *args, **kwargs):
        """The check-in as monitoring stores it (with its Idempotency-Key replay), then what
        the athlete's data now shows: read after the write has committed, so the busiest
        write holds its locks no longer, and a replay answers with the feedback of now."""
        response = super().create(request, *args, **kwargs)
        if status.is_success(response.status_code) and isinstance(response.data, dict):
            athlete = Athlete.objects.get(pk=response.data["athlete"])
            response.data = {**response.data, "feedback": checkin_feedback(athlete).as_dict()}
        return response


# What config/api_urls.py registers under /api/v1/: (prefix, viewset, basename).
ROUTES = [
    ("protocols", ProtocolViewSet, "protocol"),
    ("plans", PlanViewSet, "plan"),
    # Monitoring's check-in endpoint, answering a POST with the athlete's feedback (above).
    ("checkins", CheckInFeedbackViewSet, "checkin"),
    ("signoffs", SignOffViewSet, "signoff"),
]
