"""Demo data: two teams, a squad of athletes in every phase, eight weeks of plausible logs.

Dates are relative to today. The data is deterministic (a seeded RNG), so two machines that
load it on the same day get the same squad. `load_demo()` does nothing when the demo team is
already there; `reset_demo()` removes the demo teams and their people first.

The demo drives the product's own services, as a coach, a clinician and the athletes would:
check-ins, sessions, tests and recovery through monitoring.services; plans, advances and
sign-offs through rehab.services and rehab.signoff, which write the phase history and the
audit trail. Only what no service writes (teams, people, baselines, injuries) is written
directly (people.py).

The parts: squad (who, and which story each athlete tells), people (the clubs and their
people), timeline (the clock; each athlete's path through the phases), course (how the numbers
recover), logs (the squad's logs), plans (assigning and advancing), return_to_play (sign-off
asked, approved), warning_signs (the stories the monitoring flags), eight_weeks (one athlete,
day by day).
"""

import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from athletes.models import Athlete, AuditEvent, Team
from monitoring.models import MetricKind
from rehab.models import Protocol, SignOffDecision

from . import people
from .eight_weeks import Squad, build
from .people import PASSWORD
from .squad import DEMO_TEAM_SLUGS, NORTHSIDE, RIVERSIDE, STAFF, STAFF_ADMIN
from .timeline import Clock

__all__ = ["PASSWORD", "demo_loaded", "load_demo", "reset_demo"]

SEED = 20261122


def demo_loaded() -> bool:
    return Team.objects.filter(slug="riverside").exists()


@transaction.atomic
def reset_demo() -> None:
    teams = Team.objects.filter(slug__in=DEMO_TEAM_SLUGS)
    # Append-only rows: purge() is their one way out (it opens the PostgreSQL trigger).
    AuditEvent.objects.filter(athlete__team__in=teams).purge()
    SignOffDecision.objects.filter(request__plan__athlete__team__in=teams).purge()
    Athlete.objects.filter(team__in=teams).delete()
    Protocol.objects.filter(team__in=teams).delete()
    User = get_user_model()
    User.objects.filter(username__in=[s[0] for s in STAFF] + ["athlete", STAFF_ADMIN[0]]).delete()
    User.objects.filter(username__startswith="demo.").delete()
    teams.delete()


@transaction.atomic
def load_demo(today=None) -> bool:
    """Load the demo data once. Returns False (and changes nothing) when it is already there."""
    if demo_loaded():
        return False
    clock = Clock(today=today or timezone.localdate(), now=timezone.now())
    teams = people.teams()
    password = people.password_hash()
    staff = people.staff(teams, password)
    people.staff_admin(password)
    squad = Squad(
        clock=clock,
        rng=random.Random(SEED),
        metrics={m.code: m for m in MetricKind.objects.all()},
        staff=staff,
        password=password,
    )
    for slug, scenarios in (("riverside", RIVERSIDE), ("northside", NORTHSIDE)):
        for scenario in scenarios:
            build(squad, teams[slug], scenario)
    people.pending_invitation(teams["riverside"], staff["riverside", "coach"])
    return True
