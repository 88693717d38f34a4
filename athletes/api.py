"""REST API v1 for athletes and injuries."""

from rest_framework import serializers

from core.serializers import IdField, ModelSerializer
from core.viewsets import CreateListRetrieveViewSet

from .access import (
    IsStaffOrReadOnlyAthlete,
    ScopedAthleteField,
    require_role_for,
    scoped,
    teams_for,
    visible_athletes,
)
from .models import (
    CALF_MUSCLES,
    HAMSTRING_MUSCLES,
    INJURY_SUMMARY_FIELDS,
    Athlete,
    Injury,
    Role,
    Team,
)


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
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # Only teams where the user coaches may receive new athletes.
        fields["team"].queryset = teams_for(request.user if request else None, [Role.COACH])
        return fields


class AthleteViewSet(CreateListRetrieveViewSet):
    """Athletes of your teams (an athlete sees only their own record). Coaches add athletes."""

    serializer_class = AthleteSerializer
    permission_classes = [IsStaffOrReadOnlyAthlete]
    write_roles = (Role.COACH,)
    filterset_fields = ["team"]
    search_fields = ["first_name", "last_name"]
    ordering_fields = ["last_name", "first_name", "created_at"]
    ordering = ["last_name", "first_name"]

    def get_queryset(self):
        return visible_athletes(self.request.user)


class InjurySerializer(ModelSerializer):
    athlete = ScopedAthleteField()

    class Meta:
        model = Injury
        fields = ["id", *INJURY_SUMMARY_FIELDS, "mechanism", "is_recurrence", "notes", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"grade": {"min_value": 0, "max_value": 4}}

    def validate(self, attrs):
        muscle, group = attrs.get("muscle", ""), attrs.get("muscle_group")
        allowed = {"hamstring": HAMSTRING_MUSCLES, "calf": CALF_MUSCLES}.get(group, ())
        if muscle and muscle not in allowed:
            raise serializers.ValidationError({"muscle": f"Not a muscle of the {group} group."})
        return attrs

    def create(self, validated):
        require_role_for(
            self.context["request"].user, validated["athlete"], {Role.COACH, Role.CLINICIAN}
        )
        return super().create(validated)


class InjuryViewSet(CreateListRetrieveViewSet):
    """Injuries (muscle group and muscle, side, grade, mechanism, recurrence)."""

    serializer_class = InjurySerializer
    permission_classes = [IsStaffOrReadOnlyAthlete]
    filterset_fields = ["athlete", "muscle_group", "side"]
    ordering_fields = ["occurred_on"]
    ordering = ["-occurred_on"]

    def get_queryset(self):
        return scoped(Injury.objects.all(), self.request.user)
