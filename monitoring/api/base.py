"""What the monitoring endpoints share: the athlete and date filters, the scoped viewset, how
an entry is recorded and corrected (its service call, the finite value, the reason), and the
correctable viewset (corrected with PATCH, voided with POST …/void/) and its schema."""

import datetime as dt
import math

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from athletes import access
from athletes.access import IsStaffOrReadOnlyAthlete, require_role_for
from athletes.models import Role
from core.api import IDEMPOTENCY_HEADER, Conflict, IdempotentCreateMixin, django_errors
from core.filters import BoundedIsoDateTimeFilter

from .. import corrections, services, sprints


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


# The serializer mixins below say what they do in comments, not docstrings: drf-spectacular
# would take a mixin's docstring as the description of every serializer built on it.


# A serializer whose create() stores the entry through its service (`record`) for the posted
# athlete: the user's role for that athlete is checked first (`recorded_by`), and a service
# refusal answers 400 at its fields.
class RecordedEntry:
    recorded_by = {Role.COACH, Role.CLINICIAN}

    def record(self, athlete, *, by, values):
        raise NotImplementedError

    def create(self, validated):
        request = self.context["request"]
        athlete = validated.pop("athlete")
        require_role_for(request.user, athlete, self.recorded_by)
        try:
            return self.record(athlete, by=request.user, values=validated)
        except DjangoValidationError as exc:
            raise django_errors(exc) from None


# A serializer whose `value` must be a finite number (no NaN or infinity).
class FiniteValue:
    def validate_value(self, value):
        if not math.isfinite(value):
            raise serializers.ValidationError("Enter a finite number.")
        return value


def correction_reason():
    """A correction's `reason`: optional here, as whether it is needed depends on who corrects
    whose entry, which monitoring.corrections decides."""
    return serializers.CharField(
        allow_blank=True, max_length=corrections.REASON_MAX, required=False
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
    model = None  # the entry's model: the serializer's, unless that is declared by hand
    correction_serializer_class = None
    correct = None  # the corrections service
    void_service = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is None:
            cls.model = cls.serializer_class.Meta.model
        correctable_schema(cls)

    def base_queryset(self):
        include = self.action != "list" or self.request.query_params.get(
            "include_voided", ""
        ).lower() in ("true", "1", "yes")
        return self.model.all_objects if include else self.model.objects

    def get_queryset(self):
        return self.scoped(self.base_queryset().all())

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


def correctable_schema(viewset):
    """The OpenAPI description of a correctable viewset (every subclass of CorrectableViewSet
    gets it), from its two serializers: create takes an Idempotency-Key, list may include
    voided entries, a correction and a void answer the entry."""
    entry = viewset.serializer_class
    return extend_schema_view(
        create=extend_schema(parameters=[IDEMPOTENCY_HEADER]),
        list=extend_schema(parameters=[INCLUDE_VOIDED]),
        partial_update=extend_schema(request=viewset.correction_serializer_class, responses=entry),
        void=extend_schema(request=VoidSerializer, responses=entry),
    )(viewset)


class TopSpeedSerializer(serializers.Serializer):
    """A top speed as a share of the athlete's own pre-injury top speed (a typed baseline of
    `sprint_mss`, else their fastest usable trial before the latest injury)."""

    mss = serializers.FloatField(allow_null=True, help_text="Top speed (MSS), m/s.")
    pre_injury_mss = serializers.FloatField(
        allow_null=True, help_text="The athlete's pre-injury top speed, m/s."
    )
    pre_injury_source = serializers.ChoiceField(
        choices=["typed", "trials"], allow_null=True, help_text="Where that speed comes from."
    )
    percent = serializers.FloatField(
        allow_null=True, help_text="mss as % of pre_injury_mss, to one decimal."
    )


# A viewset whose serializer reads pre-injury top speeds (`top_speeds` in its context): a page
# of rows reads them for all its athletes at once (two queries), one row for its own athlete.
class TopSpeedContext:
    def get_serializer_context(self):
        return {**super().get_serializer_context(), "top_speeds": sprints.TopSpeeds()}

    def get_serializer(self, *args, **kwargs):
        context = kwargs.setdefault("context", self.get_serializer_context())
        rows = args[0] if args else None
        if kwargs.get("many") and rows is not None:
            context["top_speeds"] = sprints.TopSpeeds({row.athlete_id for row in rows})
        return super().get_serializer(*args, **kwargs)
