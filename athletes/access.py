"""Who may see and do what: the one module that reads team memberships.

Over 400 lines on purpose: issue 15 put every scope and role check in one place, so that a
reader (and tests/athletes/test_one_access_layer.py) finds all of them here.

Every page, API view, service, export and job asks here (tests/athletes/
test_one_access_layer.py fails if another module filters by membership itself):

- scopes: `visible_athletes`, `teams_for`, `scoped` (anything reached through an athlete:
  injuries, plans, logs, flags, sign-off requests), `protocols_for`, `editable_protocols`;
  `get_athlete_for` resolves one athlete or raises 404; `own_notifications`;
- roles: `roles_of`, `roles_by_team`, `role_for_athlete`, `require_role`, `is_athlete_only`,
  `may_handle_privacy`, `staff_of_teams` (who a flag notifies); who keeps the athlete
  records (add, edit, archive, injuries): `athlete_manager_teams`, `require_athlete_manager`;
- people: `managed_teams`, `invitable_roles`, `may_invite`, `invitable_athletes`,
  `manageable_invitations` (who may invite whom, and see and revoke which invitations);
- pages: `staff_required`, `clinician_required`, `athlete_manager_required`,
  `people_manager_required`, `athlete_page`;
- archived athletes leave `visible_athletes` (the roster and every list) by default; one
  athlete by id (`get_athlete_for`) and their rows (`scoped`) stay reachable;
- the API: `IsStaffOrReadOnlyAthlete`, `ScopedAthleteField`, `require_role_for`.

The rule (PRODUCT.md §1): a coach or clinician sees every athlete of their own teams; an
athlete sees only their own record; nobody sees another team's data. An object outside the
scope answers 404, never 403, so an outsider cannot even learn that its id exists.

A team admin manages the team's people and sees no athlete data through that role: only a
coach or clinician membership of the same team (STAFF_ROLES) opens the athletes.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers

from core.serializers import IdField

from .models import STAFF_ROLES, Athlete, Invitation, Membership, Role, Team

NOT_ALLOWED = "Your role does not allow this action."


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False)


def memberships(user, roles=None) -> QuerySet[Membership]:
    """The user's memberships (optionally only those with one of `roles`). `user` may be an
    expression such as OuterRef("pk") inside an annotation."""
    rows = Membership.objects.filter(user=user)
    return rows if roles is None else rows.filter(role__in=roles)


def teams_for(user, roles=None) -> QuerySet[Team]:
    """Teams the user belongs to (optionally only those where they hold one of `roles`)."""
    if not _signed_in(user):
        return Team.objects.none()
    return Team.objects.filter(pk__in=memberships(user, roles).values("team_id"))


def roles_of(user) -> set[str]:
    """Every role the user holds, in any team."""
    if not _signed_in(user):
        return set()
    return set(memberships(user).values_list("role", flat=True))


# --- athletes and what hangs off them ---------------------------------------------------------


def visible_athletes(user, roles=None, *, archived: bool | None = False) -> QuerySet[Athlete]:
    """Athletes the user may see through one of `roles` (default: any): as coach or clinician,
    every athlete of those teams; as athlete, their own record. Nobody else's, not even a
    superuser's outside the admin.

    `archived`: False (the default: the roster, every list) leaves archived athletes out; True
    gives only them; None both (one athlete by id, what hangs off them: their data is kept)."""
    roles = set(Role.values if roles is None else roles)
    if not _signed_in(user):
        return Athlete.objects.none()
    seen = Q()
    if staff := roles & set(STAFF_ROLES):
        seen |= Q(team_id__in=memberships(user, staff).values("team_id"))
    if Role.ATHLETE in roles:
        seen |= Q(user=user)
    # An empty Q would filter nothing: no role, nobody.
    athletes = Athlete.objects.filter(seen) if seen else Athlete.objects.none()
    if archived is None:
        return athletes
    return athletes.archived() if archived else athletes.current()


def get_athlete_for(user, pk, roles=None) -> Athlete:
    """The athlete with this pk if `visible_athletes(user, roles)` holds it, archived or not;
    404 otherwise."""
    return get_object_or_404(
        visible_athletes(user, roles, archived=None).select_related("team"), pk=pk
    )


def scoped(queryset: QuerySet, user, *, via="athlete", roles=None) -> QuerySet:
    """The rows of `queryset` whose athlete (reached through the lookup `via`) the user may see
    through one of `roles`: injuries, plans, check-ins, sessions, measurements, flags
    (`via="athlete"`), sign-off requests (`via="plan__athlete"`). An archived athlete's rows
    stay reachable: archiving keeps the data."""
    return queryset.filter(**{f"{via}__in": visible_athletes(user, roles, archived=None)})


def team_scoped(queryset: QuerySet, user, *, via="team", roles=None) -> QuerySet:
    """The rows of `queryset` that belong (through the lookup `via`) to one of the teams the
    user holds one of `roles` in: a team's own settings, such as its CSV import profiles."""
    return queryset.filter(**{f"{via}__in": teams_for(user, roles)})


# --- who manages the athlete records ---------------------------------------------------------
# Adding, editing and archiving athletes: the coaches of the team today. The one place to
# widen when a team admin role arrives.
ATHLETE_MANAGER_ROLES = (Role.COACH,)
NOT_ATHLETE_MANAGER = "Only a coach of the athlete's team can change the athlete's record."


def athlete_manager_teams(user) -> QuerySet[Team]:
    """The teams whose athletes the user may add, edit and archive."""
    return teams_for(user, ATHLETE_MANAGER_ROLES)


def may_manage_athletes(user) -> bool:
    """Whether the user manages the athletes of some team (the "Add athlete" page)."""
    return bool(roles_of(user) & set(ATHLETE_MANAGER_ROLES))


def require_athlete_manager(user, athlete: Athlete) -> str:
    """The user's role towards the athlete if it lets them change the record (edit, archive,
    injuries); PermissionDenied (403) otherwise."""
    return require_role(user, athlete, ATHLETE_MANAGER_ROLES, message=NOT_ATHLETE_MANAGER)


# Archiving an athlete who left (and restoring one): their coaches, and the team admin, who
# manages the team's people without seeing their data (PRODUCT.md §1).
NOT_ARCHIVER = "Only a coach or the team admin of the athlete's team can archive the athlete."


def require_archiver(user, athlete: Athlete) -> str:
    """The user's role for archiving this athlete (coach, or team admin of the athlete's team);
    PermissionDenied (403) otherwise."""
    role = role_for_athlete(user, athlete)
    if role == Role.COACH:
        return role
    if memberships(user, [Role.ADMIN]).filter(team_id=athlete.team_id).exists():
        return Role.ADMIN
    raise PermissionDenied(NOT_ARCHIVER)


def administered_athletes(user) -> QuerySet[Athlete]:
    """The athletes, archived ones included, of the teams the user is team admin of: names and
    status for the People page, none of their data."""
    if not _signed_in(user):
        return Athlete.objects.none()
    return Athlete.objects.filter(team_id__in=memberships(user, [Role.ADMIN]).values("team_id"))


# Recording and editing injuries: the athlete's coaches and clinicians (a diagnosis is often
# the clinician's).
INJURY_ROLES = (Role.COACH, Role.CLINICIAN)


def require_injury_role(user, athlete: Athlete) -> str:
    """The user's role towards the athlete if they may record and edit the athlete's injuries;
    PermissionDenied (403) otherwise."""
    return require_role(
        user, athlete, INJURY_ROLES, message="Only the athlete's coaches and clinicians can."
    )


def role_for_athlete(user, athlete: Athlete) -> str | None:
    """The user's role towards this athlete: coach/clinician of the athlete's team, the athlete
    themselves, or None. A team admin membership is no role towards athletes. Someone who is
    both coach and clinician of the team acts as its coach."""
    if athlete.user_id and athlete.user_id == user.pk:
        return Role.ATHLETE
    held = set(
        memberships(user, STAFF_ROLES)
        .filter(team_id=athlete.team_id)
        .values_list("role", flat=True)
    )
    return next((role for role in STAFF_ROLES if role in held), None)


def require_role(user, athlete: Athlete, roles, *, message: str = NOT_ALLOWED) -> str:
    """The user's role towards the athlete if it is one of `roles`; PermissionDenied (403)
    otherwise. For services: the caller found the athlete in scope already."""
    role = role_for_athlete(user, athlete)
    if role not in roles:
        raise PermissionDenied(message)
    return role


# --- protocols ------------------------------------------------------------------------------
# Protocols are rehab's, which this layer may not import: the caller hands in the queryset.


def protocols_for(user, protocols: QuerySet) -> QuerySet:
    """The protocols the user may read (pages and API alike): the shipped templates (no team),
    the protocols of teams where they coach or treat, and those of their own plans. An athlete
    does not browse their team's other protocols: a team's copy may be made for, and named
    after, one teammate."""
    readable = Q(team__isnull=True)
    if _signed_in(user):
        readable |= Q(team__in=teams_for(user, STAFF_ROLES))
        readable |= Q(pk__in=protocols.model.objects.filter(plans__athlete__user=user).values("pk"))
    return protocols.filter(readable)


def editable_protocols(user, protocols: QuerySet) -> QuerySet:
    """The protocols the user may change: their own teams' where they coach. Shipped templates
    are copied first, never edited in place."""
    return protocols.filter(team__in=teams_for(user, [Role.COACH]))


# --- notifications --------------------------------------------------------------------------
# Notifications are monitoring's, which this layer may not import: the caller hands them in.


def own_notifications(user, notifications: QuerySet) -> QuerySet:
    """The user's own notifications about athletes they still see as coach or clinician (one
    who left a team no longer reads its flags); never anyone else's."""
    if not _signed_in(user):
        return notifications.none()
    return notifications.filter(
        recipient=user, flag__athlete__in=visible_athletes(user, STAFF_ROLES)
    )


# --- other roles ----------------------------------------------------------------------------


def own_athlete_or_404(user) -> Athlete:
    """The athlete record of the signed-in user themselves. Staff without one, and anonymous
    users, get 404: the athlete pages never show anyone else's data."""
    if not _signed_in(user):
        raise Http404("No athlete record.")
    athlete = Athlete.objects.select_related("team").filter(user=user).first()
    if athlete is None:
        raise Http404("No athlete record.")
    return athlete


# User -> own Athlete (the reverse side of Athlete.user), taken from Athlete rather than from
# type(user): a session-authenticated request.user is a SimpleLazyObject, whose type has none.
OWN_ATHLETE = Athlete._meta.get_field("user").remote_field


def own_athlete_if_loaded(user) -> Athlete | None:
    """The user's own athlete record if it was loaded with the user (select_related, as the
    API's token authentication does), else None. Never queries. Works for any user object,
    lazy (session authentication) or not."""
    if not _signed_in(user):
        return None
    if not OWN_ATHLETE.is_cached(user):
        return None
    return OWN_ATHLETE.get_cached_value(user)


def is_athlete_only(user) -> bool:
    """True for a person who only logs in as an athlete (no coach, clinician or admin role)."""
    return (
        _signed_in(user)
        and Athlete.objects.filter(user=user).exists()
        and not memberships(user, MANAGING_ROLES).exists()
    )


def may_handle_privacy(user, athlete: Athlete) -> bool:
    """Export or erase an athlete's data: coaches of the athlete's team and Django staff admins
    (not clinicians, not athletes)."""
    if user.is_staff and user.has_perm("athletes.change_athlete"):
        return True
    return role_for_athlete(user, athlete) == Role.COACH


def revoke_athlete_role(user_id) -> None:
    """An erased login keeps no athlete membership, so it can see nothing again."""
    memberships(user_id, [Role.ATHLETE]).delete()


def staff_of_teams(team_ids) -> dict[int, list[int]]:
    """The user ids of the coaches and clinicians of each team (whom a flag notifies)."""
    staff: dict[int, list[int]] = {}
    # distinct(): someone may be both coach and clinician of a team, and is notified once.
    for team_id, user_id in (
        Membership.objects.filter(team_id__in=team_ids, role__in=STAFF_ROLES)
        .values_list("team_id", "user_id")
        .distinct()
    ):
        staff.setdefault(team_id, []).append(user_id)
    return staff


# --- people: team admins and invitations ---------------------------------------------------

# Who may invite whom, per the inviter's role in the team (PRODUCT.md §1): a team admin
# brings in every role; a coach brings in athletes.
INVITES = {
    Role.ADMIN: {Role.ADMIN, Role.COACH, Role.CLINICIAN, Role.ATHLETE},
    Role.COACH: {Role.ATHLETE},
}
MANAGING_ROLES = (Role.ADMIN, *STAFF_ROLES)


def roles_by_team(user) -> list[tuple[int, str, str]]:
    """(team id, team name, role) of every membership of the user, by team name then role."""
    if not _signed_in(user):
        return []
    return list(
        memberships(user)
        .order_by("team__name", "team_id", "role")
        .values_list("team_id", "team__name", "role")
    )


def managed_teams(user) -> QuerySet[Team]:
    """Teams whose people the user manages: where they are team admin or coach."""
    return teams_for(user, list(INVITES))


def invitable_roles(user, team: Team) -> set[str]:
    """The roles the user may invite people to in `team` (empty outside their teams)."""
    if not _signed_in(user) or team is None:
        return set()
    held = memberships(user, list(INVITES)).filter(team=team).values_list("role", flat=True)
    return set().union(*(INVITES[role] for role in held))


def may_invite(user, team: Team, role: str) -> bool:
    return role in invitable_roles(user, team)


def invitable_athletes(user, team=None) -> QuerySet[Athlete]:
    """Athlete records without a login and not archived, in teams where the user may invite
    athletes (names only: a team admin sees no athlete data, but may hand an athlete their
    link)."""
    teams = managed_teams(user) if team is None else managed_teams(user).filter(pk=team.pk)
    return Athlete.objects.current().filter(team__in=teams, user__isnull=True)


def manageable_invitations(user) -> QuerySet[Invitation]:
    """Invitations the user may see, resend and revoke: every one of teams they administer,
    and the athlete invitations of teams they coach."""
    if not _signed_in(user):
        return Invitation.objects.none()
    return Invitation.objects.filter(
        Q(team__in=teams_for(user, [Role.ADMIN]))
        | Q(team__in=teams_for(user, [Role.COACH]), role=Role.ATHLETE)
    )


def team_members(team: Team) -> QuerySet[Membership]:
    """The memberships of a team the caller has found in `managed_teams` (the people page)."""
    return (
        Membership.objects.filter(team=team)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )


def add_membership(user, team: Team, role: str) -> Membership:
    """Give `user` the role in `team` (the invitation service, on acceptance)."""
    membership, _ = Membership.objects.get_or_create(user=user, team=team, role=role)
    return membership


# --- page decorators ------------------------------------------------------------------------


def role_required(roles, message: str):
    """A page for people who hold one of `roles` in some team: sign-in first, then 403 for
    anyone else. What the page shows is still scoped (404 outside the user's teams)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not roles_of(request.user) & set(roles):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(STAFF_ROLES, "The coach workspace is for coaches and clinicians.")
clinician_required = role_required([Role.CLINICIAN], "The clinic pages are for clinicians.")
athlete_manager_required = role_required(ATHLETE_MANAGER_ROLES, NOT_ATHLETE_MANAGER)
people_manager_required = role_required(
    list(INVITES), "The people pages are for team admins and coaches."
)


def athlete_page(view):
    """The athlete's own pages: sign-in required; the view receives the user's own athlete
    record (never anyone else's, never cached) or the user gets 404."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        athlete = own_athlete_or_404(request.user)
        return view(request, athlete, *args, **kwargs)

    return wrapper


# --- the API's permission and scoped fields --------------------------------------------------


# An athlete's id (the schema cannot read the type from a queryset built per request).
@extend_schema_field(OpenApiTypes.INT)
class ScopedAthleteField(IdField):
    """An incoming athlete id, checked against the requesting user's scope: another team's
    athlete is reported exactly like an id that does not exist."""

    def get_queryset(self):
        return visible_athletes(self.context["request"].user, archived=None)

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

    message = NOT_ALLOWED

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
    """In an API create: the user must hold one of `roles` towards this athlete. An athlete
    naming someone else's record (or no role at all) gets a 400 at the field, as if the id
    did not exist; staff with the wrong role get 403."""
    role = role_for_athlete(user, athlete)
    if role not in roles:
        if role == Role.ATHLETE or role is None:
            raise serializers.ValidationError({field: "You may not record this for that athlete."})
        raise exceptions.PermissionDenied(NOT_ALLOWED)
    return role
