"""Import profiles: the column maps a file's layout is read with (monitoring.csv_import).

A file is recognised by its header, in this order:
1. the built-in layout (athlete_id, metric, value, side, measured_at);
2. a profile the user's team saved (ImportProfile: the same header, normalised);
3. a shipped vendor layout (SHIPPED), whose columns are the vendor's publicly documented ones.
A shipped layout maps only what its documentation names; what it leaves open (here the
athlete and the time, documented elsewhere by the vendor) the coach maps once, and saves as
the team's profile so the next file needs no mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from athletes.access import team_scoped, teams_for
from athletes.models import STAFF_ROLES
from core.db import insert_unless_exists

from .column_maps import built_in_mapping, clean_mapping, normalise_header
from .models import ImportProfile


@dataclass(frozen=True)
class ShippedLayout:
    """A vendor's export layout: the documented columns that recognise it, and the part of the
    map they settle."""

    slug: str
    name: str
    source: str  # the public documentation the columns come from
    required: tuple  # normalised column names the header must contain
    mapping: dict = field(default_factory=dict)
    description: str = ""

    def matches(self, names: set[str]) -> bool:
        return set(self.required) <= names


SHIPPED = (
    ShippedLayout(
        slug="1080-motion-linear-sprint",
        name="1080 Motion — linear sprint export (February 2025 format)",
        source="https://docs.1080motion.com/v1/docs/linear-sprint-export",
        # "These columns are always included in all linear sprint exports".
        required=("direction", "side", "topspeed", "0-5m time [s]", "maxacceleration"),
        # One row per run; TopSpeed is the run's recorded top speed. Side is the starting foot,
        # not a measured side, so it is not mapped.
        mapping={
            "metric": {"code": "peak_velocity"},
            "value": {"column": "TopSpeed"},
            "unit": {"unit": "m/s"},
        },
        description=gettext_lazy(
            "1080 Sprint runs, one row per run: TopSpeed becomes peak velocity (m/s). Map the "
            "athlete and date columns once, then save the map for your team."
        ),
    ),
)


@dataclass
class Layout:
    """How a file's columns will be read: `mapping` (complete unless `needs_mapping`), and
    where it comes from: "built-in", a team `profile`, or a `shipped` vendor layout."""

    mapping: dict
    source: str  # "built-in", "profile", "shipped"
    profile: ImportProfile | None = None
    shipped: ShippedLayout | None = None
    needs_mapping: bool = False

    @property
    def name(self) -> str:
        if self.profile is not None:
            return self.profile.name
        if self.shipped is not None:
            return self.shipped.name
        return ""


def signature(header) -> list[str]:
    return [normalise_header(h) for h in header]


def team_profiles(user):
    """The import profiles of the user's teams (staff only): the only ones they may use."""
    return team_scoped(ImportProfile.objects.all(), user, roles=STAFF_ROLES)


def find_layout(header, *, user) -> Layout | None:
    """The layout a header is recognised as, or None (the coach maps the columns)."""
    mapping = built_in_mapping(header)
    if mapping is not None:
        return Layout(mapping=mapping, source="built-in")
    wanted = signature(header)
    for profile in team_profiles(user).order_by("pk"):
        if profile.signature == wanted:
            return Layout(mapping=profile.mapping, source="profile", profile=profile)
    names = set(wanted)
    for shipped in SHIPPED:
        if shipped.matches(names):
            try:
                clean_mapping(shipped.mapping, header)
                complete = True
            except ValidationError:
                complete = False
            return Layout(
                mapping=shipped.mapping,
                source="shipped",
                shipped=shipped,
                needs_mapping=not complete,
            )
    return None


def save_profile(*, by, team, name: str, header, mapping: dict) -> ImportProfile:
    """Save a column map as `team`'s profile for this header's layout. The map is checked
    against the header (clean_mapping's errors); `team` must be one the user is staff of
    (`team` error); the name is unique in the team (`name` error)."""
    if team is None or not teams_for(by, STAFF_ROLES).filter(pk=team.pk).exists():
        raise ValidationError({"team": _("Choose a team you are staff of.")})
    clean_mapping(mapping, header)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": _("Name the profile (80 characters at most).")})
    if ImportProfile.objects.filter(team=team, name__iexact=name).exists():
        raise ValidationError(
            {
                "name": _("Your team already has an import profile named “%(name)s”.")
                % {"name": name}
            }
        )
    wanted = signature(header)
    if any(p.signature == wanted for p in ImportProfile.objects.filter(team=team)):
        raise ValidationError(
            {"name": _("Your team already has a profile for this layout of file.")}
        )
    profile = ImportProfile(team=team, name=name, signature=wanted, mapping=mapping, created_by=by)
    if not insert_unless_exists(profile):  # the same name, saved a moment ago
        raise ValidationError(
            {
                "name": _("Your team already has an import profile named “%(name)s”.")
                % {"name": name}
            }
        )
    return profile
