"""One access layer: no module but athletes/access.py works out who belongs to which team.

The app packages' source (migrations excluded) is read as syntax trees and searched for team
scoping built by hand: the Membership model itself; a lookup through the memberships relation
(`team__memberships__user=…`, `user.memberships`, `"memberships"`); a filter by a set of teams
(`team__in=`, `team_id__in=`) or of roles (`role__in=`). Scope with athletes.access
(`visible_athletes`, `scoped`, `protocols_for`, `teams_for`, `require_role`, …) instead.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("athletes", "core", "monitoring", "rehab", "portal", "config")
ACCESS = "athletes/access.py"

# (module, what it does) → why it may.
ALLOWED = {
    ("athletes/models.py", "memberships"): "names the relation (related_name)",
    ("athletes/models.py", "role__in"): "the database constraint on valid roles",
    ("athletes/admin.py", "Membership"): (
        "the staff admin's screens that edit memberships: every team by design, no scope"
    ),
    ("portal/demo/people.py", "Membership"): "creates the demo teams' memberships; reads none",
    ("portal/demo/__init__.py", "team__in"): (
        "clears the demo teams' own rows before building them again"
    ),
}

LOOKUP = re.compile(r"^[a-z_]+(__[a-z_]+)*$")


def _lookup_findings(lookup: str) -> set[str]:
    parts = lookup.split("__")
    found = set()
    if {"membership", "memberships"} & set(parts):
        found.add("memberships")
    if parts[-2:] in (["team", "in"], ["team_id", "in"]):
        found.add("team__in")
    if parts[-2:] == ["role", "in"]:
        found.add("role__in")
    return found


def _name(node) -> str:
    """The model name a node may spell: a name, an import, or a string ("athletes.Membership")."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.alias):
        return node.name.split(".")[-1]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.split(".")[-1]
    return ""


def findings(source: str) -> list[tuple[int, str]]:
    """(line, kind) of every place in `source` that reads memberships or scopes by hand."""
    found = []
    for node in ast.walk(ast.parse(source)):
        kinds: set[str] = set()
        if _name(node) == "Membership":
            kinds.add("Membership")
        elif isinstance(node, ast.Attribute) and node.attr in ("memberships", "membership"):
            kinds.add("memberships")
        elif isinstance(node, ast.keyword) and node.arg:
            kinds |= _lookup_findings(node.arg)
        elif isinstance(node, ast.Constant) and LOOKUP.match(str(node.value)):
            kinds |= _lookup_findings(node.value)
        found += [(getattr(node, "lineno", 0), kind) for kind in sorted(kinds)]
    return found


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in name and name != ACCESS:
                yield name, path.read_text()


def test_no_module_but_the_access_layer_filters_by_team_membership():
    seen, offending = set(), []
    for name, source in _modules():
        for line, kind in findings(source):
            if (name, kind) in ALLOWED:
                seen.add((name, kind))
            else:
                offending.append(f"{name}:{line}: {kind}")
    assert offending == [], (
        "Team scoping outside athletes/access.py (use its visible_athletes, scoped, "
        "protocols_for, teams_for, require_role…):\n" + "\n".join(offending)
    )
    stale = sorted(set(ALLOWED) - seen)
    assert stale == [], f"Allowed but no longer needed, remove from ALLOWED: {stale}"


def test_the_scan_finds_each_way_of_scoping_by_hand():
    # Each of these was in the code base before the access layer took them over.
    examples = {
        "from athletes.models import Membership": "Membership",
        "Membership.objects.filter(user=user, role=Role.CLINICIAN)": "Membership",
        "Athlete.objects.filter(team__memberships__user=user)": "memberships",
        "user.memberships.values('team_id')": "memberships",
        "Team.objects.prefetch_related('memberships')": "memberships",
        "Protocol.objects.filter(Q(team__isnull=True) | Q(team__in=teams))": "team__in",
        "Athlete.objects.filter(team_id__in=staff_teams)": "team__in",
        "rows.filter(role__in=STAFF_ROLES)": "role__in",
        "apps.get_model('athletes.Membership')": "Membership",
    }
    for source, kind in examples.items():
        assert kind in {k for _, k in findings(source)}, source
    # Docstrings and prose that mention memberships are not code.
    assert findings('"""Reads the team memberships of a user."""') == []
    assert findings("Flag.objects.filter(athlete__in=visible_athletes(user))") == []
