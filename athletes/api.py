"""REST API v1 for athletes and injuries, who the client is (me/), teams and invitations."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Conflict
from core.serializers import IdField, ModelSerializer
from core.viewsets import CreateListRetrieveViewSet

from .access import (
    IsStaffOrReadOnlyAthlete,
    ScopedAthleteField,
    invitable_athletes,
    manageable_invitations,
    managed_teams,
    require_role_for,
    roles_by_team,
    scoped,
    teams_for,
    visible_athletes,
)
from .invitations import (
    InvitationRefused,
    InvitationUnusable,
    create_invitation,
    resend_invitation,
    revoke_invitation,
)
from .models import CALF_MUSCLES, HAMSTRING_MUSCLES, Athlete, Injury, Invitation, Role, Team


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
        fields = [
            "id",
            "athlete",
            "muscle_group",
            "muscle",
            "side",
            "grade",
            "occurred_on",
            "mechanism",
            "is_recurrence",
            "notes",
            "created_at",
        ]
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


# --- who the client is, and their teams -------------------------------------------------------


class TeamRoleSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    team_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.EmailField()
    roles = TeamRoleSerializer(many=True)
    teams = inline_serializer(
        "MeTeam", {"id": serializers.IntegerField(), "name": serializers.CharField()}, many=True
    )
    athlete = serializers.IntegerField(allow_null=True, help_text="Your own athlete record's id.")


class MeView(APIView):
    """Who the client is: the user, their roles per team, their teams and their own athlete
    record's id (null for staff)."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        rows = roles_by_team(user)
        teams = {team_id: name for team_id, name, _ in rows}
        own = Athlete.objects.filter(user=user).values_list("pk", flat=True).first()
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "display_name": user.get_full_name() or user.get_username(),
                "email": user.email,
                "roles": [{"team": t, "team_name": n, "role": r} for t, n, r in rows],
                "teams": [{"id": t, "name": n} for t, n in teams.items()],
                "athlete": own,
            }
        )


class TeamSerializer(ModelSerializer):
    roles = serializers.SerializerMethodField(help_text="Your roles in this team.")

    class Meta:
        model = Team
        fields = ["id", "name", "slug", "roles"]

    def get_roles(self, team) -> list[str]:
        return self.context["roles"].get(team.pk, [])


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """The teams you belong to, with your roles in each."""

    serializer_class = TeamSerializer
    ordering = ["name"]

    def get_queryset(self):
        return teams_for(self.request.user).order_by("name", "pk")

    def get_serializer_context(self):
        roles: dict[int, list[str]] = {}
        for team_id, _, role in roles_by_team(self.request.user):
            roles.setdefault(team_id, []).append(role)
        return {**super().get_serializer_context(), "roles": roles}


# --- invitations ------------------------------------------------------------------------------


class TeamIdField(IdField):
    """A team's id, parsed only: the invitation's create() looks it up among the teams the
    user manages, so another team's id and one that does not exist are the same 403."""

    def to_internal_value(self, data):
        return self.to_id(data)


class InvitationSerializer(ModelSerializer):
    team = TeamIdField(queryset=Team.objects.none(), help_text="A team you administer or coach.")
    athlete = IdField(
        queryset=Athlete.objects.none(),
        required=False,
        allow_null=True,
        help_text="For an athlete invitation: the athlete record (without a login) it is for.",
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    status = serializers.SerializerMethodField()
    invited_by_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(
        help_text="The one-time link: only in the answer that made it (create, resend)."
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "team",
            "role",
            "email",
            "athlete",
            "status",
            "url",
            "invited_by",
            "invited_by_name",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = [
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = request.user if request else None
        fields["athlete"].queryset = invitable_athletes(user) if user else Athlete.objects.none()
        return fields

    def create(self, validated):
        user = self.context["request"].user
        team = managed_teams(user).filter(pk=validated["team"]).first()
        if team is None:
            raise InvitationRefused()
        link = create_invitation(
            by=user,
            team=team,
            role=validated["role"],
            email=validated.get("email", ""),
            athlete=validated.get("athlete"),
        )
        self.context["link"] = link
        return link.invitation

    def get_status(self, invitation) -> str:
        return invitation.status()

    def get_invited_by_name(self, invitation) -> str:
        person = invitation.invited_by
        return (person.get_full_name() or person.get_username()) if person else ""

    def get_url(self, invitation) -> str | None:
        link = self.context.get("link")
        return link.url if link is not None and link.invitation.pk == invitation.pk else None


class InvitationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations to your teams: a team admin invites every role, a coach invites athletes.
    The one-time `url` is in the answer to create and resend only. DELETE revokes (204)."""

    serializer_class = InvitationSerializer
    filterset_fields = ["team", "role"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return manageable_invitations(self.request.user).select_related("invited_by")

    @extend_schema(
        responses={
            201: InvitationSerializer,
            403: OpenApiResponse(description="You may not invite this role to this team."),
        }
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="The invitation was accepted already."),
        }
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, invitation):
        try:
            revoke_invitation(invitation)
        except InvitationUnusable:
            raise Conflict("This invitation was accepted already.") from None

    @extend_schema(
        request=None,
        responses={
            200: InvitationSerializer,
            409: OpenApiResponse(description="Accepted or revoked: cannot be sent again."),
        },
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None, **kwargs):
        """A new one-time link and expiry (e-mailed again when there is an address); the old
        link stops working."""
        try:
            link = resend_invitation(self.get_object())
        except InvitationUnusable as unusable:
            raise Conflict(
                f"This invitation is {unusable.status}: it cannot be sent again."
            ) from None
        context = {**self.get_serializer_context(), "link": link}
        return Response(InvitationSerializer(link.invitation, context=context).data)
