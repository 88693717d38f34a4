"""factory_boy factories: build exactly the rows a test needs."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from athletes.models import Athlete, Injury, Membership, Role, Team
from monitoring.models import CheckIn, Flag, FlagKind, Measurement, MetricKind, TrainingSession
from rehab.models import Phase, PhaseChange, Plan, Protocol


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("sprintback")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.COACH


def staff(team, role=Role.COACH, **user_kwargs):
    """A user who is coach or clinician of `team`."""
    return MembershipFactory(team=team, role=role, user=UserFactory(**user_kwargs)).user


class AthleteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Athlete

    team = factory.SubFactory(TeamFactory)
    first_name = factory.Sequence(lambda n: f"Runner{n}")
    last_name = "Test"


def athlete_with_login(team, **kwargs):
    user = UserFactory()
    MembershipFactory(user=user, team=team, role=Role.ATHLETE)
    return AthleteFactory(team=team, user=user, **kwargs)


class InjuryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Injury

    athlete = factory.SubFactory(AthleteFactory)
    muscle_group = "hamstring"
    side = "left"
    grade = 2
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=20))
    mechanism = Injury.Mechanism.HIGH_SPEED_RUNNING


def template(muscle_group="hamstring") -> Protocol:
    return Protocol.objects.get(team=None, is_template=True, muscle_group=muscle_group)


def start_plan(athlete, phase_order=0, *, muscle_group="hamstring", entered_days_ago=10, by=None):
    """An active plan on the shipped template, currently in `phase_order`."""
    protocol = template(muscle_group)
    injury = InjuryFactory(athlete=athlete, muscle_group=muscle_group)
    phase = Phase.objects.get(protocol=protocol, order=phase_order)
    now = timezone.now()
    entered = now - dt.timedelta(days=entered_days_ago)
    plan = Plan.objects.create(
        athlete=athlete,
        injury=injury,
        protocol=protocol,
        current_phase=phase,
        started_at=entered,
        phase_entered_at=entered,
        created_by=by,
    )
    PhaseChange.objects.create(
        plan=plan, to_phase=phase, kind=PhaseChange.Kind.START, changed_by=by, changed_at=entered
    )
    return plan


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    athlete = factory.SubFactory(AthleteFactory)
    taken_at = factory.LazyFunction(timezone.now)
    local_date = factory.LazyAttribute(lambda c: timezone.localdate(c.taken_at))
    pain_rest = 0
    pain_activity = 0
    pain_morning = 0


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    athlete = factory.SubFactory(AthleteFactory)
    date = factory.LazyFunction(timezone.localdate)
    type = "technique"
    duration_min = 45
    rpe = 4


def metric(code) -> MetricKind:
    return MetricKind.objects.get(code=code)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    athlete = factory.SubFactory(AthleteFactory)
    metric = factory.LazyFunction(lambda: MetricKind.objects.get(code="split_30m"))
    value = 4.2
    measured_at = factory.LazyFunction(timezone.now)


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    athlete = factory.SubFactory(AthleteFactory)
    kind = FlagKind.PAIN_PERSISTING
    evidence = factory.LazyFunction(dict)
    opened_at = factory.LazyFunction(timezone.now)
