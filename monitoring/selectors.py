"""Reads shared by pages, the API and jobs."""

from django.db.models import Count, Max, OuterRef, Q, Subquery

from athletes.models import STAFF_ROLES
from athletes.selectors import athletes_visible_to, roles_of, teams_for
from rehab.models import Plan

from .models import FlagStatus


def athlete_rows(user):
    """The athletes a user may see, each with its active plan's phase, latest check-in and
    number of unresolved flags, in a fixed number of queries whatever the squad size."""
    active_plan = Plan.objects.filter(athlete=OuterRef("pk"), status=Plan.Status.ACTIVE)
    return (
        athletes_visible_to(user)
        .select_related("team")
        .annotate(
            last_checkin_at=Max("checkins__taken_at"),
            unresolved_flags=Count(
                "flags", filter=~Q(flags__status=FlagStatus.RESOLVED), distinct=True
            ),
            phase_order=Subquery(active_plan.values("current_phase__order")[:1]),
            phase_name=Subquery(active_plan.values("current_phase__name")[:1]),
            muscle_group=Subquery(active_plan.values("injury__muscle_group")[:1]),
        )
        .order_by("team__name", "last_name", "first_name")
    )


def home_summary(user) -> dict:
    roles = roles_of(user)
    context = {"roles": sorted(roles), "teams": list(teams_for(user))}
    if roles & set(STAFF_ROLES):
        context["athletes"] = list(athlete_rows(user).filter(team__in=teams_for(user, STAFF_ROLES)))
    profile = getattr(user, "athlete_profile", None)
    if profile is not None:
        context["me"] = profile
        context["my_plan"] = (
            Plan.objects.filter(athlete=profile, status=Plan.Status.ACTIVE)
            .select_related("current_phase", "protocol", "injury")
            .first()
        )
        context["my_last_checkin"] = profile.checkins.order_by("-taken_at").first()
    return context
