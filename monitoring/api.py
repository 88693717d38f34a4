"""REST API v1 for check-ins, sessions, measurements, the metric registry and flags."""

import copy
import datetime as dt
import math

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from athletes.models import Role
from athletes.selectors import athletes_visible_to
from config.api import (
    IDEMPOTENCY_HEADER,
    Conflict,
    IdempotentCreateMixin,
    IsStaffOrReadOnlyAthlete,
    ScopedAthleteField,
    django_errors,
    require_role_for,
)

from . import services
from .models import CheckIn, Flag, Measurement, MetricKind, TrainingSession


class AthleteDateFilter(django_filters.FilterSet):
    """`athlete`, and a date range on the resource's own time field (`since`, `until`)."""

    athlete = django_filters.NumberFilter(field_name="athlete_id")
    time_field = None

    since = django_filters.IsoDateTimeFilter(method="filter_since")
    until = django_filters.IsoDateTimeFilter(method="filter_until")

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
        return queryset.filter(athlete__in=athletes_visible_to(self.request.user))


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
    taken_at = serializers.DateTimeField(
        required=False, help_text="ISO 8601; defaults to now; may be past, never future."
    )
    local_date = serializers.DateField(
        read_only=True, help_text="The athlete's calendar day of taken_at."
    )
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
    created_at = serializers.DateTimeField(read_only=True)

    def get_fields(self):
        # DRF deep-copies every declared field, arguments and all, for each instance: a third
        # of this serializer's cost, and re-running each field's __init__ half of what is
        # left. The declared fields are never bound themselves (every instance gets copies),
        # and once built a field's arguments, messages and validators are only read, so a
        # shallow copy is an independent field: bind() sets its name and parent on the copy.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

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


@extend_schema_view(create=extend_schema(parameters=[IDEMPOTENCY_HEADER]))
class CheckInViewSet(
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedViewSet,
):
    """Daily check-ins. Athletes post their own; staff read their teams'."""

    serializer_class = CheckInSerializer
    filterset_class = filter_for(CheckIn, "taken_at")
    ordering_fields = ["taken_at", "created_at"]
    ordering = ["-taken_at"]
    athlete_may_create = True

    def get_queryset(self):
        return self.scoped(CheckIn.objects.all())

    def perform_create(self, serializer):
        try:
            serializer.save()
        except services.CheckInConflict as conflict:
            raise Conflict(
                "A check-in for that day already exists; edit it instead.",
                existing=conflict.existing.pk,
            ) from None


# --- sessions ----------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    athlete = ScopedAthleteField()

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "athlete",
            "plan",
            "date",
            "type",
            "duration_min",
            "rpe",
            "load",
            "top_intensity_pct",
            "sprint_distance_m",
            "surface",
            "footwear",
            "weather",
            "temperature_c",
            "pain_during",
            "pain_after",
            "notes",
            "created_at",
        ]
        read_only_fields = ["plan", "load", "created_at"]

    def create(self, validated):
        request = self.context["request"]
        athlete = validated.pop("athlete")
        require_role_for(request.user, athlete, {Role.COACH, Role.CLINICIAN})
        try:
            return services.record_session(athlete, by=request.user, values=validated)
        except DjangoValidationError as exc:
            raise django_errors(exc) from None


@extend_schema_view(create=extend_schema(parameters=[IDEMPOTENCY_HEADER]))
class SessionViewSet(
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedViewSet,
):
    """Training sessions (session load = RPE × minutes)."""

    serializer_class = SessionSerializer
    filterset_class = filter_for(TrainingSession, "date", extra=["type"])
    ordering_fields = ["date", "load", "created_at"]
    ordering = ["-date", "-created_at"]

    def get_queryset(self):
        return self.scoped(TrainingSession.objects.all())


# --- measurements ------------------------------------------------------------------------------


class MeasurementSerializer(serializers.ModelSerializer):
    athlete = ScopedAthleteField()
    metric = serializers.SlugRelatedField(slug_field="code", queryset=MetricKind.objects.all())
    measured_at = serializers.DateTimeField(required=False)

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
        ]
        read_only_fields = ["source", "created_at"]

    def validate_value(self, value):
        if not math.isfinite(value):
            raise serializers.ValidationError("Enter a finite number.")
        return value

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


@extend_schema_view(create=extend_schema(parameters=[IDEMPOTENCY_HEADER]))
class MeasurementViewSet(
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedViewSet,
):
    """Objective measurements from the metric registry (timing gates, force plates, tests)."""

    serializer_class = MeasurementSerializer
    filterset_class = filter_for(Measurement, "measured_at")
    ordering_fields = ["measured_at", "value"]
    ordering = ["-measured_at"]

    def get_queryset(self):
        return self.scoped(Measurement.objects.select_related("metric"))

    @extend_schema(
        request=BulkMeasurementSerializer, responses={201: MeasurementSerializer(many=True)}
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
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


class MetricSerializer(serializers.ModelSerializer):
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


class FlagSerializer(serializers.ModelSerializer):
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
    def acknowledge(self, request, pk=None):
        """Mark an open flag as seen (by whom, when, with an optional note)."""
        return self._transition(request, services.acknowledge_flag)

    @extend_schema(request=FlagActionSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Close a flag; the note (what was done) is required."""
        return self._transition(request, services.resolve_flag)
