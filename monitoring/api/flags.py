"""The metric registry (read only) and flags: listed, acknowledged and resolved by staff."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import Conflict, django_errors
from core.serializers import ModelSerializer, PersonNameField

from .. import services
from ..models import Flag, MetricKind
from .base import ScopedViewSet


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
    acknowledged_by_name = PersonNameField(source="acknowledged_by")
    resolved_by_name = PersonNameField(source="resolved_by")

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
            "acknowledged_by_name",
            "acknowledged_at",
            "acknowledged_note",
            "resolved_by",
            "resolved_by_name",
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
        return self.scoped(Flag.objects.select_related("acknowledged_by", "resolved_by"))

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
