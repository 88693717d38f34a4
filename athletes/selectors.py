"""Who may see what. Every page, API view, export and job resolves athletes through here."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

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
