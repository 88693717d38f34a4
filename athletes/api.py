"""REST API v1 for athletes and injuries."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from core.serializers import IdField, ModelSerializer
from core.viewsets import CreateListRetrieveViewSet

from . import services
from .access import (
    INJURY_ROLES,
    IsStaffOrReadOnlyAthlete,
    ScopedAthleteField,
    athlete_manager_teams,
    require_role_for,
    scoped,
    visible_athletes,
)
from .models import INJURY_SUMMARY_FIELDS, Athlete, Injury, Role, Team

# PATCH edits; a record is never replaced whole (PUT) nor deleted through the API.
EDIT_METHODS = ["get", "post", "patch", "head", "options"]


class AthleteSerializer(ModelSerializer):
    team = IdField(queryset=Team.objects.none())

    class Meta:
        model = Athlete
        fields = [
            "id",
            "team",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "events",
            "dominant_leg",
            "archived",
            "archived_at",
            "created_at",
        ]
        read_only_fields = ["created_at", "archived_at"]

    archived = serializers.BooleanField(
        required=False,
        help_text="True archives the athlete (out of the roster and lists, data kept); false "
        "restores them.",
    )

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # Only teams where the user manages athletes may receive them.
        fields["team"].queryset = athlete_manager_teams(request.user if request else None)
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["archived"] = instance.is_archived
        return data

    def create(self, validated):
        archived = validated.pop("archived", False)
        by = self.context["request"].user
        athlete = services.create_athlete(by=by, team=validated.pop("team"), values=validated)
        return services.set_archived(athlete, True, by=by) if archived else athlete

    def update(self, athlete, validated):
        by = self.context["request"].user
        archived = validated.pop("archived", None)
        if validated:
            athlete = services.update_athlete(athlete, by=by, values=validated)
        if archived is not None:
            athlete = services.set_archived(athlete, archived, by=by)
        return athlete


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "archived",
                OpenApiTypes.BOOL,
                description="true: only archived athletes; otherwise only current ones.",
            )
        ]
    )
)
class AthleteViewSet(mixins.UpdateModelMixin, CreateListRetrieveViewSet):
    """Athletes of your teams (an athlete sees only their own record). Coaches add athletes,
    edit them (PATCH) and archive or restore them (`archived`)."""

    serializer_class = AthleteSerializer
    permission_classes = [IsStaffOrReadOnlyAthlete]
    http_method_names = EDIT_METHODS
    write_roles = (Role.COACH,)
    filterset_fields = ["team"]
    search_fields = ["first_name", "last_name"]
    ordering_fields = ["last_name", "first_name", "created_at"]
    ordering = ["last_name", "first_name"]

    def get_queryset(self):
        if self.action != "list":
            # One athlete by id, archived or not (to restore them).
            return visible_athletes(self.request.user, archived=None)
        archived = self.request.query_params.get("archived", "").lower() in ("true", "1")
        return visible_athletes(self.request.user, archived=archived)


class InjurySerializer(ModelSerializer):
    athlete = ScopedAthleteField()

    class Meta:
        model = Injury
        fields = [
            "id",
            *INJURY_SUMMARY_FIELDS,
            "bamic_class",
            "mechanism",
            "is_recurrence",
            "notes",
            "closed_on",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"grade": {"min_value": 0, "max_value": 4}}

    def validate(self, attrs):
        if self.instance is not None and attrs.get("athlete", self.instance.athlete) != (
            self.instance.athlete
        ):
            raise serializers.ValidationError({"athlete": "An injury stays with its athlete."})
        return attrs

    def create(self, validated):
        by = self.context["request"].user
        athlete = validated.pop("athlete")
        require_role_for(by, athlete, set(INJURY_ROLES))
        # The muscle group's muscles, grade 0 without a class: athletes.services' rules.
        return services.record_injury(athlete, by=by, values=validated)

    def update(self, injury, validated):
        validated.pop("athlete", None)
        return services.update_injury(injury, by=self.context["request"].user, values=validated)


class InjuryViewSet(mixins.UpdateModelMixin, CreateListRetrieveViewSet):
    """Injuries (muscle group and muscle, side, grade and BAMIC class, mechanism, recurrence,
    closed on); the athlete's coaches and clinicians record and edit them (PATCH)."""

    serializer_class = InjurySerializer
    permission_classes = [IsStaffOrReadOnlyAthlete]
    http_method_names = EDIT_METHODS
    filterset_fields = ["athlete", "muscle_group", "side"]
    ordering_fields = ["occurred_on"]
    ordering = ["-occurred_on"]

    def get_queryset(self):
        return scoped(Injury.objects.all(), self.request.user)
