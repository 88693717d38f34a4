"""REST API v1 for protocols, plans and sign-off requests (read side)."""

import django_filters
from django.db.models import Q
from rest_framework import mixins, serializers, viewsets

from athletes.selectors import athletes_visible_to, teams_for
from config.api import IsStaffOrReadOnlyAthlete

from .models import GateCriterion, Phase, PhaseChange, Plan, Protocol, SignOffRequest


class GateSerializer(serializers.ModelSerializer):
    metric = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = GateCriterion
        fields = ["id", "kind", "metric", "threshold", "window", "description"]


class PhaseSerializer(serializers.ModelSerializer):
    gates = GateSerializer(many=True, read_only=True)

    class Meta:
        model = Phase
        fields = [
            "id",
            "order",
            "name",
            "goals",
            "content",
            "allowed_intensity",
            "max_velocity_pct",
            "longest_sprint_m",
            "typical_days_min",
            "typical_days_max",
            "needs_clinical_review",
            "gates",
        ]


class ProtocolSerializer(serializers.ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)

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
            "phases",
        ]


class ProtocolViewSet(viewsets.ReadOnlyModelViewSet):
    """The shipped templates and your teams' own protocols, with phases and gate criteria."""

    serializer_class = ProtocolSerializer
    filterset_fields = ["muscle_group", "is_template"]
    ordering = ["muscle_group", "name"]

    def get_queryset(self):
        return Protocol.objects.filter(
            Q(team__isnull=True) | Q(team__in=teams_for(self.request.user))
        ).prefetch_related("phases__gates__metric")


class PhaseChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PhaseChange
        fields = [
            "id",
            "from_phase",
            "to_phase",
            "kind",
            "reason",
            "changed_by",
            "changed_at",
            "evidence",
        ]


class PlanSerializer(serializers.ModelSerializer):
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


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rehab plans with the current phase and the history of every phase entered."""

    serializer_class = PlanSerializer
    permission_classes = [IsStaffOrReadOnlyAthlete]
    filterset_fields = ["athlete", "status"]
    ordering = ["-started_at"]

    def get_queryset(self):
        return Plan.objects.filter(
            athlete__in=athletes_visible_to(self.request.user)
        ).prefetch_related("current_phase__gates__metric", "phase_changes")


class SignOffSerializer(serializers.ModelSerializer):
    athlete = serializers.IntegerField(source="plan.athlete_id", read_only=True)

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
            "requested_at",
            "note",
            "evidence",
        ]
        read_only_fields = fields


class SignOffFilter(django_filters.FilterSet):
    athlete = django_filters.NumberFilter(field_name="plan__athlete_id")

    class Meta:
        model = SignOffRequest
        fields = ["athlete", "plan", "status", "kind"]


class SignOffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sign-off requests: phase reviews and return to play."""

    serializer_class = SignOffSerializer
    permission_classes = [IsStaffOrReadOnlyAthlete]
    filterset_class = SignOffFilter
    ordering = ["-requested_at"]

    def get_queryset(self):
        return SignOffRequest.objects.filter(
            plan__athlete__in=athletes_visible_to(self.request.user)
        ).select_related("plan")
