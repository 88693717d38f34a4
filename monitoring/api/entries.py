"""The training session and measurement endpoints (measurements also in bulk), their
corrections and voids."""

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from athletes.access import ScopedAthleteField
from core.plausibility import validate_log_time
from core.serializers import DateTimeField, ModelSerializer

from .. import corrections, pain_response, rules, services, sprints
from ..models import Measurement, MetricKind, TrainingSession
from .base import (
    VOID_FIELDS,
    CorrectableViewSet,
    FiniteValue,
    RecordedEntry,
    TopSpeedContext,
    TopSpeedSerializer,
    correction_reason,
    filter_for,
)

# --- sessions ----------------------------------------------------------------------------------


class SessionSerializer(RecordedEntry, ModelSerializer):
    athlete = ScopedAthleteField()
    top_speed = serializers.SerializerMethodField()
    pain_response = serializers.SerializerMethodField(
        help_text="The 24-hour pain response (Silbernagel): green / amber / red by the plan's "
        "protocol thresholds, waiting until the next morning's check-in exists, null when the "
        "session recorded no pain during it."
    )

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "athlete",
            "plan",
            *corrections.SESSION_FIELDS,
            "load",
            "top_speed",
            "pain_response",
            "created_at",
            *VOID_FIELDS,
        ]
        read_only_fields = ["plan", "load", "created_at", *VOID_FIELDS]

    @extend_schema_field(
        serializers.ChoiceField(choices=rules.PAIN_RESPONSES, allow_null=True, read_only=True)
    )
    def get_pain_response(self, session):
        responses = self.context.get("pain_responses")
        if responses is not None and session.pk in responses:
            return responses[session.pk].response
        return pain_response.session_response(session)

    @extend_schema_field(TopSpeedSerializer)
    def get_top_speed(self, session):
        """The session's fastest sprint trial (good or flying-start fit) as % of the athlete's
        pre-injury top speed; every value null without such a trial."""
        # Annotated on a list or detail (None without a trial); read alone after a write.
        if hasattr(session, "top_mss"):
            mss = session.top_mss
        else:
            mss = sprints.session_top_mss(session.pk)
        return sprints.top_speed_share(mss, self.context["top_speeds"].of(session.athlete_id))

    def record(self, athlete, *, by, values):
        return services.record_session(athlete, by=by, values=values)


class SessionCorrectionSerializer(ModelSerializer):
    """A correction: any of the session's fields; `reason` is required unless you logged it."""

    reason = correction_reason()

    class Meta:
        model = TrainingSession
        fields = [*corrections.SESSION_FIELDS, "reason"]
        extra_kwargs = {name: {"required": False} for name in corrections.SESSION_FIELDS}


class SessionViewSet(TopSpeedContext, CorrectableViewSet):
    """Training sessions (session load = RPE × minutes)."""

    serializer_class = SessionSerializer
    correction_serializer_class = SessionCorrectionSerializer
    correct = staticmethod(corrections.correct_session)
    void_service = staticmethod(corrections.void_session)
    filterset_class = filter_for(TrainingSession, "date", extra=["type"])
    ordering_fields = ["date", "load", "created_at"]
    ordering = ["-date", "-created_at"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):  # a correction locks its row: no aggregate
            queryset = queryset.annotate(top_mss=sprints.SESSION_TOP_MSS)
        return queryset

    def get_serializer(self, *args, **kwargs):
        rows = args[0] if args else None
        if kwargs.get("many") and rows is not None:
            # The page's responses in two queries, not two per session.
            context = kwargs.setdefault("context", self.get_serializer_context())
            rows = list(rows)
            context["pain_responses"] = pain_response.session_responses(rows)
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)


# --- measurements ------------------------------------------------------------------------------


class MeasurementSerializer(RecordedEntry, FiniteValue, ModelSerializer):
    athlete = ScopedAthleteField()
    metric = serializers.SlugRelatedField(slug_field="code", queryset=MetricKind.objects.all())
    measured_at = DateTimeField(required=False)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "athlete",
            "metric",
            "value",
            "side",
            "measured_at",
            "source",
            "notes",
            "created_at",
            *VOID_FIELDS,
        ]
        read_only_fields = ["source", "created_at", *VOID_FIELDS]

    def validate(self, attrs):
        # The registry's plausible range and side rule, at the fields (and per row in bulk/).
        errors = attrs["metric"].value_errors(attrs["value"], attrs.get("side", ""))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def record(self, athlete, *, by, values):
        return services.record_measurement(athlete, by=by, source=Measurement.Source.API, **values)


class BulkMeasurementSerializer(serializers.Serializer):
    measurements = MeasurementSerializer(many=True, allow_empty=False, max_length=5000)


class MeasurementCorrectionSerializer(FiniteValue, serializers.Serializer):
    """A correction of the value, side, time or notes; `reason` is required unless you logged
    it. (A wrong metric: void the entry and log the right one.)"""

    value = serializers.FloatField(required=False)
    side = serializers.ChoiceField(choices=Measurement.MeasuredSide.choices, required=False)
    measured_at = DateTimeField(required=False, validators=[validate_log_time])
    notes = serializers.CharField(allow_blank=True, max_length=200, required=False)
    reason = correction_reason()


class MeasurementViewSet(CorrectableViewSet):
    """Objective measurements from the metric registry (timing gates, force plates, tests)."""

    serializer_class = MeasurementSerializer
    correction_serializer_class = MeasurementCorrectionSerializer
    correct = staticmethod(corrections.correct_measurement)
    void_service = staticmethod(corrections.void_measurement)
    filterset_class = filter_for(Measurement, "measured_at")
    ordering_fields = ["measured_at", "value"]
    ordering = ["-measured_at"]

    def get_queryset(self):
        return self.scoped(self.base_queryset().select_related("metric"))

    @extend_schema(
        request=BulkMeasurementSerializer, responses={201: MeasurementSerializer(many=True)}
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request, format=None):
        """Create many measurements at once: all of them, or none (errors listed per row)."""
        payload = BulkMeasurementSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        with transaction.atomic():
            created = [
                MeasurementSerializer(context=self.get_serializer_context()).create(dict(row))
                for row in payload.validated_data["measurements"]
            ]
        return Response(
            MeasurementSerializer(created, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
