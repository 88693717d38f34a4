"""Who may see what. Every page, API view, export and job resolves athletes through here."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers

from core.serializers import IdField

from .models import STAFF_ROLES, Athlete, Membership, Role, Team


def teams_for(user, roles=None) -> QuerySet[Team]:
    """Teams the user belongs to (optionally only those where they hold one of `roles`)."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return Team.objects.filter(pk__in=memberships.values("team_id"))


def roles_of(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def athletes_visible_to(user) -> QuerySet[Athlete]:
    """Athletes the user may see: all athletes of teams where they coach or treat, and their
    own record if they are an athlete. Nobody else's, not even for superusers outside the admin."""
    if not getattr(user, "is_authenticated", False):
        return Athlete.objects.none()
    staff_teams = Membership.objects.filter(user=user, role__in=STAFF_ROLES).values("team_id")
    return Athlete.objects.filter(Q(team_id__in=staff_teams) | Q(user=user)).distinct()


def get_athlete_for(user, pk) -> Athlete:
    """The athlete with this pk if the user may see it; 404 otherwise (never 403, so an
    outsider cannot even learn that the id exists)."""
    return get_object_or_404(athletes_visible_to(user).select_related("team"), pk=pk)


def role_for_athlete(user, athlete: Athlete) -> str | None:
    """The user's role towards this athlete: coach/clinician of the athlete's team, the athlete
    themselves, or None."""
    if athlete.user_id and athlete.user_id == user.pk:
        return Role.ATHLETE
    return (
        Membership.objects.filter(user=user, team_id=athlete.team_id, role__in=STAFF_ROLES)
        .values_list("role", flat=True)
        .first()
    )


# User -> own Athlete (the reverse side of Athlete.user), taken from Athlete rather than from
# type(user): a session-authenticated request.user is a SimpleLazyObject, whose type has none.
OWN_ATHLETE = Athlete._meta.get_field("user").remote_field


def own_athlete_if_loaded(user) -> Athlete | None:
    """The user's own athlete record if it was loaded with the user (select_related, as the
    API's token authentication does), else None. Never queries. Works for any user object,
    lazy (session authentication) or not."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not OWN_ATHLETE.is_cached(user):
        return None
    return OWN_ATHLETE.get_cached_value(user)


def own_athlete_or_404(user) -> Athlete:
    """The athlete record of the signed-in user themselves. Staff without one, and anonymous
    users, get 404: the athlete pages never show anyone else's data."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No athlete record.")
    athlete = Athlete.objects.select_related("team").filter(user=user).first()
    if athlete is None:
        raise Http404("No athlete record.")
    return athlete


def is_athlete_only(user) -> bool:
    """True for a person who only logs in as an athlete (no coach or clinician role)."""
    return (
        getattr(user, "is_authenticated", False)
        and Athlete.objects.filter(user=user).exists()
        and not Membership.objects.filter(user=user, role__in=STAFF_ROLES).exists()
    )


# --- the API's permission and scoped fields --------------------------------------------------


# An athlete's id (the schema cannot read the type from a queryset built per request).
@extend_schema_field(OpenApiTypes.INT)
class ScopedAthleteField(IdField):
    """An incoming athlete id, checked against the requesting user's scope: another team's
    athlete is reported exactly like an id that does not exist."""

    def get_queryset(self):
        return athletes_visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        pk = self.to_id(data)
        # The user's own record is always in their scope; when authentication already loaded
        # it, naming it costs no query.
        own = own_athlete_if_loaded(self.context["request"].user)
        if own is not None and pk == own.pk:
            return own
        return super().to_internal_value(pk)


class IsStaffOrReadOnlyAthlete(permissions.BasePermission):
    """Coaches and clinicians write within their teams; athletes only read their own data.

    Views list the roles that may write in `write_roles` (default: coach and clinician) and
    the actions an athlete may take on their own data in `athlete_actions` (check-ins:
    create and correct)."""

    message = "Your role does not allow this action."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action in getattr(view, "athlete_actions", ()):
            # Anyone with a role towards the athlete may try (checked by the serializer's
            # scoped athlete field, the object permission and the service): saves a query.
            return True
        return bool(roles_of(request.user) & set(getattr(view, "write_roles", STAFF_ROLES)))

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        athlete = getattr(obj, "athlete", obj)
        role = role_for_athlete(request.user, athlete)
        if role == Role.ATHLETE and view.action in getattr(view, "athlete_actions", ()):
            return True
        return role in set(getattr(view, "write_roles", STAFF_ROLES))


def require_role_for(user, athlete, roles, field="athlete"):
    """In a create: the user must hold one of `roles` towards this athlete."""
    role = role_for_athlete(user, athlete)
    if role not in roles:
        if role == Role.ATHLETE or role is None:
            raise serializers.ValidationError({field: "You may not record this for that athlete."})
        raise exceptions.PermissionDenied("Your role does not allow this action.")
    return role
