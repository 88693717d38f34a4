"""REST API v1 for athletes and injuries, who the client is (me/), teams and invitations."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import Conflict
from core.serializers import IdField, ModelSerializer
from core.viewsets import CreateListRetrieveViewSet

from . import services
from .access import (
    INJURY_ROLES,
    IsStaffOrReadOnlyAthlete,
    ScopedAthleteField,
    athlete_manager_teams,
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
from .models import INJURY_SUMMARY_FIELDS, Athlete, Injury, Invitation, Role, Team
from .services import ATHLETE_FIELDS

# PATCH edits; a record is never replaced whole (PUT) nor deleted through the API.
EDIT_METHODS = ["get", "post", "patch", "head", "options"]


class AthleteSerializer(ModelSerializer):
    team = IdField(queryset=Team.objects.none())

    class Meta:
        model = Athlete
        fields = [
            "id",
            "team",
            *ATHLETE_FIELDS,
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


def me_payload(user) -> dict:
    """Who the user is (MeSerializer's fields): the user, their roles per team, their teams and
    their own athlete record's id. monitoring.api.me adds the person's settings and serves it
    at /api/v1/me/."""
    rows = roles_by_team(user)
    teams = {team_id: name for team_id, name, _ in rows}
    own = Athlete.objects.filter(user=user).values_list("pk", flat=True).first()
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": user.get_full_name() or user.get_username(),
        "email": user.email,
        "roles": [{"team": t, "team_name": n, "role": r} for t, n, r in rows],
        "teams": [{"id": t, "name": n} for t, n in teams.items()],
        "athlete": own,
    }


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


# The answers create and destroy may give besides their own, documented on the class
# (extend_schema_view) rather than by overriding the actions just to decorate them.
@extend_schema_view(
    create=extend_schema(
        responses={
            201: InvitationSerializer,
            403: OpenApiResponse(description="You may not invite this role to this team."),
        }
    ),
    destroy=extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="The invitation was accepted already."),
        }
    ),
)
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


# What config/api_urls.py registers under /api/v1/: (prefix, viewset, basename).
ROUTES = [
    ("athletes", AthleteViewSet, "athlete"),
    ("injuries", InjuryViewSet, "injury"),
    ("teams", TeamViewSet, "team"),
    ("invitations", InvitationViewSet, "invitation"),
]
