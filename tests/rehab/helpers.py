"""Shared set-up for the clinic tests: a team with coach, clinician, an athlete ready for
return-to-play sign-off, and an outsider clinician."""

from dataclasses import dataclass

from athletes.models import Role
from rehab.models import Plan
from tests.factories import AthleteFactory, TeamFactory, athlete_with_login, staff, start_plan


@dataclass
class Clinic:
    team: object
    coach: object
    clinician: object
    outsider: object
    athlete: object
    plan: Plan


def clinic(phase=5, *, gates_met=True) -> Clinic:
    team = TeamFactory()
    athlete = athlete_with_login(team)
    plan = start_plan(athlete, phase)
    # No gates on this phase: every gate is met (gate rules are tested in tests/rehab).
    if gates_met:
        plan.current_phase.gates.all().delete()
    return Clinic(
        team=team,
        coach=staff(team, Role.COACH),
        clinician=staff(team, Role.CLINICIAN, first_name="Priya", last_name="Nair"),
        outsider=staff(TeamFactory(), Role.CLINICIAN),
        athlete=athlete,
        plan=plan,
    )


def other_athlete(team):
    return AthleteFactory(team=team)
