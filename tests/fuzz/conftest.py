"""The fuzz suites are the cross-cutting property tests: forms, form views, the URL walk and
the CSV import, across every app. Their world is the shared one (tests/world.py), each club
with something of every kind (athlete in a plan, check-in, session, measurements, a flag, a
pending sign-off, a small team protocol); the other team's people are the outsiders."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from athletes.invitations import create_invitation
from athletes.models import Role
from athletes.tokens import issue_token
from monitoring.models import Notification, RecoveryActivity
from monitoring.sprints import record_sprint_trial
from rehab.models import GateCriterion, Phase, Protocol
from rehab.signoff import request_signoff
from tests.factories import (
    CheckInFactory,
    FlagFactory,
    InjuryFactory,
    MeasurementFactory,
    SessionFactory,
    UserFactory,
    athlete_with_login,
    metric,
    start_plan,
)
from tests.world import Club, World, build_club

# A crouch-start 40 m (about MSS 9 m/s, τ 1.1 s): splits at 5, 10, 20, 30 and 40 m.
SPRINT_SPLITS = [(5, 1.33), (10, 2.04), (20, 3.27), (30, 4.41), (40, 5.54)]


@dataclass
class FuzzClub(Club):
    """The shared club (tests/world.py) with something of every kind."""

    plan: object  # the athlete's: in phase 2, with entries of every kind and a flag
    unplanned: object  # an athlete with an injury and no plan (the assign form)
    signoff: object  # a pending return-to-play request (another athlete of the team)
    signoff_flag: object  # an open flag of that athlete (approval waits for it)
    checkin: object
    session: object
    measurement: object
    pass_fail: object  # a measurement of a pass/fail test
    bilateral: object  # a measurement of a per-leg test
    sprint: object  # a sprint trial with its derived measurements
    flag: object
    protocol: object  # the team's own, small: two phases, two gates each
    recovery: object
    token: object  # an API token of the athlete
    invitation: object  # a pending athlete invitation of the coach's
    invitation_token: str  # its link's token
    notification: object  # the coach's notification of the athlete's flag


def small_protocol(team) -> Protocol:
    protocol = Protocol.objects.create(
        team=team, name=f"{team.name} hamstring", muscle_group="hamstring"
    )
    for order in (0, 1):
        phase = Phase.objects.create(
            protocol=protocol,
            order=order,
            name=f"Phase {order}",
            allowed_intensity="easy",
            max_velocity_pct=50 + order * 20,
        )
        GateCriterion.objects.create(phase=phase, kind="min_days", threshold=5, order=0)
        GateCriterion.objects.create(
            phase=phase, kind="lsi", metric=metric("knee_flexor_strength"), threshold=90, order=1
        )
    return protocol


def build_fuzz_club(name: str) -> FuzzClub:
    club = build_club(name, athlete=f"Maya {name}", teammate=f"Tess {name}")
    team, coach, athlete = club.team, club.coach, club.athlete
    plan = start_plan(athlete, 2, by=coach)
    unplanned = athlete_with_login(team, first_name="Una", last_name=name)
    InjuryFactory(athlete=unplanned)
    ready = athlete_with_login(team, first_name="Rui", last_name=name)
    ready_plan = start_plan(ready, 5, by=coach)
    ready_plan.current_phase.gates.all().delete()  # every gate met: sign-off can be requested
    now = timezone.now()
    flag = FlagFactory(athlete=athlete, plan=plan)
    return FuzzClub(
        **vars(club),
        plan=plan,
        unplanned=unplanned,
        signoff=request_signoff(ready_plan, by=coach),
        signoff_flag=FlagFactory(athlete=ready, plan=ready_plan),
        checkin=CheckInFactory(athlete=athlete, taken_at=now - dt.timedelta(days=1)),
        session=SessionFactory(athlete=athlete, date=timezone.localdate() - dt.timedelta(days=1)),
        measurement=MeasurementFactory(athlete=athlete, measured_at=now - dt.timedelta(hours=3)),
        pass_fail=MeasurementFactory(
            athlete=athlete, metric=metric("h_test"), value=1, side="right", measured_at=now
        ),
        bilateral=MeasurementFactory(
            athlete=athlete,
            metric=metric("knee_flexor_strength"),
            value=300,
            side="left",
            measured_at=now,
        ),
        sprint=record_sprint_trial(
            athlete,
            by=coach,
            measured_at=now - dt.timedelta(hours=2),
            splits=[{"distance_m": d, "time_s": t} for d, t in SPRINT_SPLITS],
            start="crouch",
            body_mass_kg=70,
        ),
        flag=flag,
        protocol=small_protocol(team),
        recovery=RecoveryActivity.objects.create(
            athlete=athlete, kind="massage", minutes=10, performed_on=timezone.localdate()
        ),
        token=issue_token(athlete.user, name="Maya's phone")[0],
        **invitation_of(coach, team),
        notification=Notification.objects.create(recipient=coach, flag=flag, message="A flag"),
    )


def invitation_of(coach, team) -> dict:
    link = create_invitation(by=coach, team=team, role=Role.ATHLETE)
    return {"invitation": link.invitation, "invitation_token": link.token}


@dataclass
class FuzzWorld(World):
    home: FuzzClub
    away: FuzzClub  # another team: its coach is the outsider
    admin: object  # a staff superuser with no team


@pytest.fixture
def world(db) -> FuzzWorld:
    """The shared world (tests/world.py), each club with something of every kind."""
    return FuzzWorld(
        home=build_fuzz_club("Riverside"),
        away=build_fuzz_club("Hillcrest"),
        admin=UserFactory(username="root", is_staff=True, is_superuser=True),
    )


@pytest.fixture(autouse=True)
def plain_template_rendering(monkeypatch):
    """Render as in production: the test environment's instrumented rendering copies every
    template's context for `response.context`, which the fuzz suites never read, and that
    copying costs about half of each page."""
    from django.template.base import Template
    from django.test.utils import _TestState

    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)


@pytest.fixture(autouse=True)
def sessions_in_memory(settings):
    """Sessions in the (local-memory) cache rather than the database: thousands of requests
    each read one, and how a session is stored is not what these suites test."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
