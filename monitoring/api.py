"""REST API v1 for check-ins, sessions, measurements, the metric registry and flags."""

import datetime as dt
import math

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from athletes import access
from athletes.access import IsStaffOrReadOnlyAthlete, ScopedAthleteField, require_role_for
from athletes.models import Role
from core.api import IDEMPOTENCY_HEADER, Conflict, IdempotentCreateMixin, django_errors
from core.filters import BoundedIsoDateTimeFilter
from core.plausibility import validate_log_time
from core.serializers import DateField, DateTimeField, ModelSerializer

from . import corrections, services
from .models import CheckIn, Flag, Measurement, MetricKind, TrainingSession


class AthleteDateFilter(django_filters.FilterSet):
    """`athlete`, and a date range on the resource's own time field (`since`, `until`)."""

    athlete = django_filters.NumberFilter(field_name="athlete_id")
    time_field = None

    since = BoundedIsoDateTimeFilter(method="filter_since")
    until = BoundedIsoDateTimeFilter(method="filter_until")

    def filter_since(self, queryset, name, value):
        return queryset.filter(**{f"{self.time_field}__gte": value.astimezone(dt.UTC)})

    def filter_until(self, queryset, name, value):
        return queryset.filter(**{f"{self.time_field}__lte": value.astimezone(dt.UTC)})


def filter_for(model, time_field, extra=()):
    meta = type("Meta", (), {"model": model, "fields": ["athlete", *extra]})
    return type(
        f"{model.__name__}Filter", (AthleteDateFilter,), {"Meta": meta, "time_field": time_field}
    )


class ScopedViewSet(viewsets.GenericViewSet):
    permission_classes = [IsStaffOrReadOnlyAthlete]

    def scoped(self, queryset):
        return access.scoped(queryset, self.request.user)


INCLUDE_VOIDED = OpenApiParameter(
    name="include_voided",
    type=bool,
    location=OpenApiParameter.QUERY,
    required=False,
    description="true: list voided entries too (each carries voided_at, voided_by, void_reason).",
)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=corrections.REASON_MAX, help_text="Why it is void.")


class CorrectableViewSet(
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Check-ins, sessions and measurements: created, listed, corrected (PATCH, with a
    `reason` when the entry is someone else's) and voided (POST …/void/ with a `reason`).
    Lists leave voided entries out unless `?include_voided=true`; one entry is found by id
    voided or not, so a voided one answers 409 to a correction rather than 404."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    model = None
    correction_serializer_class = None
    correct = None  # the corrections service
    void_service = None

    def base_queryset(self):
        include = self.action != "list" or self.request.query_params.get(
            "include_voided", ""
        ).lower() in ("true", "1", "yes")
        return self.model.all_objects if include else self.model.objects

    def get_serializer_class(self):
        if self.action == "partial_update":
            return self.correction_serializer_class
        if self.action == "void":
            return VoidSerializer
        return self.serializer_class

    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        body = self.correction_serializer_class(data=request.data, context={"entry": entry})
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        reason = values.pop("reason", "")
        try:
            corrected = type(self).correct(entry, by=request.user, values=values, reason=reason)
        except corrections.AlreadyVoided as exc:
            raise Conflict(str(exc)) from None
        except services.CheckInConflict as conflict:
            raise Conflict(
                "That day already has a check-in; correct that one instead.",
                existing=conflict.existing.pk,
            ) from None
        except DjangoValidationError as exc:
            raise django_errors(exc) from None
        return Response(
            self.serializer_class(corrected, context=self.get_serializer_context()).data
        )

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None, format=None):
        """Void an entry made in error: it leaves gates, charts, rules and lists; its values
        stay in the audit trail. Coaches and clinicians of the athlete's team; `reason`
        required."""
        entry = self.get_object()
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            voided = type(self).void_service(
                entry, by=request.user, reason=body.validated_data["reason"]
            )
        except corrections.AlreadyVoided as exc:
            raise Conflict(str(exc)) from None
        except DjangoValidationError as exc:
            raise django_errors(exc) from None
        return Response(self.serializer_class(voided, context=self.get_serializer_context()).data)


VOID_FIELDS = ["voided_at", "voided_by", "void_reason"]


# --- check-ins ---------------------------------------------------------------------------------


def _score(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=10, **kwargs)


def _optional_score(help_text="0–10"):
    return _score(allow_null=True, required=False, help_text=help_text)


# Declared field by field rather than introspected from the model for every request (a
# ModelSerializer rebuilds its fields per instance, and this is the busiest POST).
# tests/api/test_checkin_serializer.py holds it equal to what a ModelSerializer of CheckIn
# with the service's CHECKIN_FIELDS builds, so the two cannot drift.
class CheckInSerializer(serializers.Serializer):
    id = serializers.BigIntegerField(label="ID", read_only=True)
    athlete = ScopedAthleteField()
    taken_at = DateTimeField(
        required=False,
        help_text="ISO 8601; defaults to now; may be past (from 2000 on), never future.",
        validators=[validate_log_time],
    )
    local_date = DateField(read_only=True, help_text="The athlete's calendar day of taken_at.")
    pain_rest = _score()
    pain_activity = _score()
    pain_morning = _score()
    pain_location = serializers.CharField(allow_blank=True, max_length=120, required=False)
    soreness_injured = _optional_score("Soreness/tightness of the injured region, 0–10.")
    soreness_other = _optional_score("Same region on the other side, 0–10.")
    sleep_hours = serializers.DecimalField(
        allow_null=True, decimal_places=1, max_digits=3, max_value=24, min_value=0, required=False
    )
    sleep_quality = _optional_score()
    confidence = _optional_score()
    readiness = _optional_score()
    note = serializers.CharField(
        allow_blank=True, max_length=1000, required=False, style={"base_template": "textarea.html"}
    )
    created_at = DateTimeField(read_only=True)
    voided_at = DateTimeField(allow_null=True, default=None, read_only=True)
    voided_by = serializers.IntegerField(source="voided_by_id", read_only=True, allow_null=True)
    void_reason = serializers.CharField(read_only=True, style={"base_template": "textarea.html"})

    def create(self, validated):
        request = self.context["request"]
        athlete = validated.pop("athlete")
        require_role_for(request.user, athlete, {Role.ATHLETE, Role.COACH, Role.CLINICIAN})
        taken_at = validated.pop("taken_at", None)
        try:
            result = services.record_checkin(
                athlete, by=request.user, values=validated, taken_at=taken_at
            )
        except DjangoValidationError as exc:
            raise django_errors(exc) from None
        return result.checkin


class CheckInCorrectionSerializer(serializers.Serializer):
    """A correction: any of the check-in's values and its time; `reason` is required unless
    the athlete corrects their own."""

    taken_at = DateTimeField(required=False, validators=[validate_log_time])
    pain_rest = _score(required=False)
    pain_activity = _score(required=False)
    pain_morning = _score(required=False)
    pain_location = serializers.CharField(allow_blank=True, max_length=120, required=False)
    soreness_injured = _optional_score()
    soreness_other = _optional_score()
    sleep_hours = serializers.DecimalField(
        allow_null=True, decimal_places=1, max_digits=3, max_value=24, min_value=0, required=False
    )
    sleep_quality = _optional_score()
    confidence = _optional_score()
    readiness = _optional_score()
    note = serializers.CharField(allow_blank=True, max_length=1000, required=False)
    reason = serializers.CharField(
        allow_blank=True, max_length=corrections.REASON_MAX, required=False
    )


def _correct_checkin(entry, *, by, values, reason):
    taken_at = values.pop("taken_at", None)
    return corrections.correct_checkin(
        entry, by=by, values=values, taken_at=taken_at, reason=reason
    )


@extend_schema_view(
    create=extend_schema(parameters=[IDEMPOTENCY_HEADER]),
    list=extend_schema(parameters=[INCLUDE_VOIDED]),
    partial_update=extend_schema(request=CheckInCorrectionSerializer, responses=CheckInSerializer),
    void=extend_schema(request=VoidSerializer, responses=CheckInSerializer),
)
class CheckInViewSet(CorrectableViewSet):
    """Daily check-ins. Athletes post and correct their own; staff read their teams', correct
    them with a reason and void those entered in error."""

    serializer_class = CheckInSerializer
    correction_serializer_class = CheckInCorrectionSerializer
    model = CheckIn
    correct = staticmethod(_correct_checkin)
    void_service = staticmethod(corrections.void_checkin)
    filterset_class = filter_for(CheckIn, "taken_at")
    ordering_fields = ["taken_at", "created_at"]
    ordering = ["-taken_at"]
    athlete_actions = ("create", "partial_update")

    def get_queryset(self):
        return self.scoped(self.base_queryset().all())

    def perform_create(self, serializer):
        try:
            serializer.save()
        except services.CheckInConflict as conflict:
            raise Conflict(
                "A check-in for that day already exists; edit it instead.",
                existing=conflict.existing.pk,
            ) from None


# --- sessions ----------------------------------------------------------------------------------


class SessionSerializer(ModelSerializer):
    athlete = ScopedAthleteField()

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "athlete",
            "plan",
            *corrections.SESSION_FIELDS,
            "load",
            "created_at",
            *VOID_FIELDS,
        ]
        read_only_fields = ["plan", "load", "created_at", *VOID_FIELDS]

    def create(self, validated):
        request = self.context["request"]
        athlete = validated.pop("athlete")
        require_role_for(request.user, athlete, {Role.COACH, Role.CLINICIAN})
        try:
            return services.record_session(athlete, by=request.user, values=validated)
        except DjangoValidationError as exc:
            raise django_errors(exc) from None


class SessionCorrectionSerializer(ModelSerializer):
    """A correction: any of the session's fields; `reason` is required unless you logged it."""

    reason = serializers.CharField(
        allow_blank=True, max_length=corrections.REASON_MAX, required=False
    )

    class Meta:
        model = TrainingSession
        fields = [*corrections.SESSION_FIELDS, "reason"]
        extra_kwargs = {name: {"required": False} for name in corrections.SESSION_FIELDS}


@extend_schema_view(
    create=extend_schema(parameters=[IDEMPOTENCY_HEADER]),
    list=extend_schema(parameters=[INCLUDE_VOIDED]),
    partial_update=extend_schema(request=SessionCorrectionSerializer, responses=SessionSerializer),
    void=extend_schema(request=VoidSerializer, responses=SessionSerializer),
)
class SessionViewSet(CorrectableViewSet):
    """Training sessions (session load = RPE × minutes)."""

    serializer_class = SessionSerializer
    correction_serializer_class = SessionCorrectionSerializer
    model = TrainingSession
    correct = staticmethod(corrections.correct_session)
    void_service = staticmethod(corrections.void_session)
    filterset_class = filter_for(TrainingSession, "date", extra=["type"])
    ordering_fields = ["date", "load", "created_at"]
    ordering = ["-date", "-created_at"]

    def get_queryset(self):
        return self.scoped(self.base_queryset().all())


# --- measurements ------------------------------------------------------------------------------


class MeasurementSerializer(ModelSerializer):
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

    def validate_value(self, value):
        if not math.isfinite(value):
            raise serializers.ValidationError("Enter a finite number.")
        return value

    def validate(self, attrs):
        # The registry's plausible range and side rule, at the fields (and per row in bulk/).
        errors = attrs["metric"].value_errors(attrs["value"], attrs.get("side", ""))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated):
        request = self.context["request"]
        athlete = validated.pop("athlete")
        require_role_for(request.user, athlete, {Role.COACH, Role.CLINICIAN})
        try:
            return services.record_measurement(
                athlete, by=request.user, source=Measurement.Source.API, **validated
            )
        except DjangoValidationError as exc:
            raise django_errors(exc) from None


class BulkMeasurementSerializer(serializers.Serializer):
    measurements = MeasurementSerializer(many=True, allow_empty=False, max_length=5000)


class MeasurementCorrectionSerializer(serializers.Serializer):
    """A correction of the value, side, time or notes; `reason` is required unless you logged
    it. (A wrong metric: void the entry and log the right one.)"""

    value = serializers.FloatField(required=False)
    side = serializers.ChoiceField(choices=Measurement.MeasuredSide.choices, required=False)
    measured_at = DateTimeField(required=False, validators=[validate_log_time])
    notes = serializers.CharField(allow_blank=True, max_length=200, required=False)
    reason = serializers.CharField(
        allow_blank=True, max_length=corrections.REASON_MAX, required=False
    )

    def validate_value(self, value):
        if not math.isfinite(value):
            raise serializers.ValidationError("Enter a finite number.")
        return value


@extend_schema_view(
    create=extend_schema(parameters=[IDEMPOTENCY_HEADER]),
    list=extend_schema(parameters=[INCLUDE_VOIDED]),
    partial_update=extend_schema(
        request=MeasurementCorrectionSerializer, responses=MeasurementSerializer
    ),
    void=extend_schema(request=VoidSerializer, responses=MeasurementSerializer),
)
class MeasurementViewSet(CorrectableViewSet):
    """Objective measurements from the metric registry (timing gates, force plates, tests)."""

    serializer_class = MeasurementSerializer
    correction_serializer_class = MeasurementCorrectionSerializer
    model = Measurement
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


# --- registry and flags ------------------------------------------------------------------------


class MetricSerializer(ModelSerializer):
    class Meta:
        model = MetricKind
        fields = [
            "code",
            "name",
            "unit",
            "direction",
            "category",
            "bilateral",
            "swc_pct",
            "description",
        ]


class MetricViewSet(viewsets.ReadOnlyModelViewSet):
    """The registry of metric kinds: unit, direction, smallest worthwhile change."""

    queryset = MetricKind.objects.all()
    serializer_class = MetricSerializer
    lookup_field = "code"
    filterset_fields = ["category", "direction", "bilateral"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]


class FlagSerializer(ModelSerializer):
    class Meta:
        model = Flag
        fields = [
            "id",
            "athlete",
            "plan",
            "kind",
            "status",
            "summary",
            "evidence",
            "opened_at",
            "condition_cleared_at",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledged_note",
            "resolved_by",
            "resolved_at",
            "resolved_note",
            "proposed_regression_to",
        ]
        read_only_fields = fields


class FlagActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Flags raised by the monitoring jobs; staff acknowledge and resolve them."""

    serializer_class = FlagSerializer
    filterset_fields = ["athlete", "kind", "status"]
    ordering_fields = ["opened_at"]
    ordering = ["-opened_at"]

    def get_queryset(self):
        return self.scoped(Flag.objects.all())

    def _transition(self, request, service, **kwargs):
        flag = self.get_object()
        body = FlagActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            service(flag, by=request.user, note=body.validated_data.get("note", ""), **kwargs)
        except services.FlagTransitionError as exc:
            raise Conflict(str(exc)) from None
        except DjangoValidationError as exc:
            raise django_errors(exc) from None
        return Response(FlagSerializer(flag).data)

    @extend_schema(request=FlagActionSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None, format=None):
        """Mark an open flag as seen (by whom, when, with an optional note)."""
        return self._transition(request, services.acknowledge_flag)

    @extend_schema(request=FlagActionSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None, format=None):
        """Close a flag; the note (what was done) is required."""
        return self._transition(request, services.resolve_flag)
