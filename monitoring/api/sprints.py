"""Sprint trials (PRODUCT issue 18): POST the splits, get the trial and its fitted profile;
list and read them."""

import math

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from athletes import access
from athletes.access import ScopedAthleteField
from core.api import IDEMPOTENCY_HEADER, Conflict, IdempotentCreateMixin, django_errors
from core.serializers import DateTimeField, IdField, ModelSerializer

from .. import corrections, sprints
from ..models import MAX_SPRINT_SPLITS, SprintStart, SprintTrial, TrainingSession
from .base import (
    VOID_FIELDS,
    RecordedEntry,
    ScopedViewSet,
    TopSpeedContext,
    TopSpeedSerializer,
    VoidSerializer,
    filter_for,
)


class SplitSerializer(serializers.Serializer):
    """One split: the distance from the start line and the time taken to reach it."""

    distance_m = serializers.FloatField(help_text="Distance from the start line, in m (≤ 400).")
    time_s = serializers.FloatField(help_text="Time from the start, in s (≤ 60).")


@extend_schema_field(SplitSerializer(many=True))
class SplitsField(serializers.Field):
    """At least two and at most 20 splits, distances and times strictly increasing; errors
    are one message per broken rule, naming the split (monitoring.sprints.clean_splits)."""

    def to_internal_value(self, data):
        try:
            return sprints.clean_splits(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["splits"]) from None

    def to_representation(self, value):
        return value


class ProfileSerializer(serializers.Serializer):
    """The sprint profile fitted to the splits (mono-exponential model; F0, V0 and Pmax only
    with the body mass)."""

    mss = serializers.FloatField(allow_null=True, help_text="Maximal sprinting speed, m/s.")
    tau = serializers.FloatField(allow_null=True, help_text="Time constant τ, s.")
    time_shift = serializers.FloatField(allow_null=True, help_text="Start-time correction, s.")
    max_acceleration = serializers.FloatField(allow_null=True, help_text="MSS ÷ τ, m/s².")
    t90 = serializers.FloatField(allow_null=True, help_text="Time to 90 % of MSS, s.")
    f0 = serializers.FloatField(allow_null=True, help_text="Horizontal force F0, N/kg.")
    v0 = serializers.FloatField(allow_null=True, help_text="Theoretical maximal velocity, m/s.")
    pmax = serializers.FloatField(allow_null=True, help_text="Maximal horizontal power, W/kg.")
    rmse = serializers.FloatField(allow_null=True, help_text="Residual error of the fit, s.")
    quality = serializers.ChoiceField(choices=SprintTrial.Quality.choices)
    quality_text = serializers.CharField()


class ScopedSessionField(IdField):
    """A training session the user may see (another team's is reported as not existing)."""

    def get_queryset(self):
        return access.scoped(TrainingSession.objects.all(), self.context["request"].user)


def _finite(value):
    if value is not None and not math.isfinite(value):
        raise serializers.ValidationError("Enter a finite number.")
    return value


class SprintTrialSerializer(RecordedEntry, ModelSerializer):
    athlete = ScopedAthleteField()
    measured_at = DateTimeField(required=False)
    session = ScopedSessionField(required=False, allow_null=True)
    start = serializers.ChoiceField(choices=SprintStart.choices)
    splits = SplitsField(
        help_text=f"At least two and at most {MAX_SPRINT_SPLITS} splits, distances and times "
        "strictly increasing."
    )
    run_in_m = serializers.FloatField(
        required=False, allow_null=True, help_text="Flying start only: the run-in, in m (≤ 100)."
    )
    body_mass_kg = serializers.FloatField(
        required=False, allow_null=True, help_text="30–200 kg: gives F0, V0 and Pmax."
    )
    notes = serializers.CharField(
        source="wind_surface_notes",
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Wind, surface, footwear.",
    )
    profile = serializers.SerializerMethodField()
    top_speed = serializers.SerializerMethodField()
    measurements = serializers.SerializerMethodField()

    class Meta:
        model = SprintTrial
        fields = [
            "id",
            "athlete",
            "measured_at",
            "session",
            "start",
            "run_in_m",
            "splits",
            "body_mass_kg",
            "notes",
            "profile",
            "top_speed",
            "measurements",
            "created_by",
            "created_at",
            *VOID_FIELDS,
        ]
        read_only_fields = ["created_by", "created_at", *VOID_FIELDS]

    validate_run_in_m = staticmethod(_finite)
    validate_body_mass_kg = staticmethod(_finite)

    @extend_schema_field(ProfileSerializer)
    def get_profile(self, trial):
        return sprints.trial_profile(trial)

    @extend_schema_field(TopSpeedSerializer)
    def get_top_speed(self, trial):
        """The fitted MSS as % of the athlete's pre-injury top speed (null for a poor fit)."""
        usable = trial.quality in sprints.USABLE_QUALITIES
        return sprints.top_speed_share(
            trial.mss if usable else None, self.context["top_speeds"].of(trial.athlete_id)
        )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_measurements(self, trial) -> list[int]:
        """The derived measurements (source "derived") stored from this trial's profile."""
        return sorted(m.pk for m in trial.measurements.all())

    def record(self, athlete, *, by, values):
        return sprints.record_sprint_trial(
            athlete,
            by=by,
            measured_at=values.get("measured_at"),
            splits=values["splits"],
            start=values["start"],
            run_in_m=values.get("run_in_m"),
            body_mass_kg=values.get("body_mass_kg"),
            session=values.get("session"),
            notes=values.get("wind_surface_notes", ""),
        )


@extend_schema_view(create=extend_schema(parameters=[IDEMPOTENCY_HEADER]))
class SprintTrialViewSet(
    TopSpeedContext,
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedViewSet,
):
    """Sprint trials: the splits of one sprint and the sprint profile fitted to them (MSS, τ,
    maximal acceleration, time to 90 % of MSS; with body mass F0, V0, Pmax). Each usable
    fitted value is also a measurement of its own metric (`sprint_mss`, …; source
    `derived`). Coaches and clinicians record them; an athlete reads their own."""

    serializer_class = SprintTrialSerializer
    filterset_class = filter_for(SprintTrial, "measured_at", extra=["start"])
    ordering_fields = ["measured_at", "created_at"]
    ordering = ["-measured_at", "-created_at"]

    def get_queryset(self):
        # Lists leave voided trials out; one trial is found voided or not (a void answers 409).
        manager = SprintTrial.objects if self.action == "list" else SprintTrial.all_objects
        return self.scoped(manager.prefetch_related("measurements"))

    @extend_schema(request=VoidSerializer, responses=SprintTrialSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None, format=None):
        """Void a trial entered in error, with the measurements derived from it: they leave
        gates, charts, flags and lists; the values stay in the audit trail. Coaches and
        clinicians of the athlete's team; `reason` required."""
        trial = self.get_object()
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            voided = corrections.void_sprint_trial(
                trial, by=request.user, reason=body.validated_data["reason"]
            )
        except corrections.AlreadyVoided as exc:
            raise Conflict(str(exc)) from None
        except DjangoValidationError as exc:
            raise django_errors(exc) from None
        voided = SprintTrial.all_objects.prefetch_related("measurements").get(pk=voided.pk)
        return Response(self.get_serializer(voided).data)
