"""The shared world of the tests (healthchecks' hc/test.py style: the same people in every
module, built once per test): an owner team with its coach, clinician, athlete and a
teammate, and another team with the same, whose people are the outsiders.

The `world` fixture (tests/conftest.py) builds it; a module that needs more (a plan in a
given phase, a strict team, a clock) builds that on the world in a small fixture of its
own. The athletes have a login and no injury or plan: which phase a test needs differs
from module to module, so `start_plan(world.athlete, phase)` says it where it matters."""

from dataclasses import dataclass

from athletes.models import Role
from tests.factories import TeamFactory, athlete_with_login, staff


@dataclass
class Club:
    """One team and its people."""

    team: object
    coach: object
    clinician: object
    athlete: object  # the owner: has a login
    teammate: object  # a second athlete of the same team, with a login


def build_club(name: str, athlete: str = "Maya Okafor", teammate: str = "Theo Banks") -> Club:
    team = TeamFactory(name=name)
    first, last = athlete.split()
    mate_first, mate_last = teammate.split()
    return Club(
        team=team,
        coach=staff(team, Role.COACH, first_name="Cora", last_name=name),
        clinician=staff(team, Role.CLINICIAN, first_name="Cli", last_name=name),
        athlete=athlete_with_login(team, first_name=first, last_name=last),
        teammate=athlete_with_login(team, first_name=mate_first, last_name=mate_last),
    )


@dataclass
class World:
    home: Club  # the owner's team
    away: Club  # another team: its people are the outsiders

    team = property(lambda self: self.home.team)
    coach = property(lambda self: self.home.coach)
    clinician = property(lambda self: self.home.clinician)
    athlete = property(lambda self: self.home.athlete)
    teammate = property(lambda self: self.home.teammate)
    other_team = property(lambda self: self.away.team)
    outsider_coach = property(lambda self: self.away.coach)
    outsider_clinician = property(lambda self: self.away.clinician)
    outsider = property(lambda self: self.away.athlete)  # an athlete of the other team


def build_world() -> World:
    return World(
        home=build_club("Riverside"),
        away=build_club("Hillcrest", athlete="Omar Quist", teammate="Ines Varga"),
    )


def named(user, username: str, **names):
    """`user` under the username (and e-mail, names) a test types or reads."""
    user.username, user.email = username, f"{username}@example.com"
    for field, value in names.items():
        setattr(user, field, value)
    user.save()
    return user
