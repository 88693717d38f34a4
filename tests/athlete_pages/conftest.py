import pytest

from athletes.models import Role
from tests.factories import TeamFactory, UserFactory, athlete_with_login, staff, start_plan


@pytest.fixture
def squad(db):
    """The owner, a teammate, an athlete of another team, staff of both teams, a user in no team."""
    team, other_team = TeamFactory(), TeamFactory()
    me = athlete_with_login(team, first_name="Maya", last_name="Okafor")
    start_plan(me, phase_order=3, entered_days_ago=5)
    return {
        "me": me,
        "teammate": athlete_with_login(team),
        "outsider": athlete_with_login(other_team),
        "coach": staff(team, Role.COACH),
        "clinician": staff(team, Role.CLINICIAN),
        "other_coach": staff(other_team, Role.COACH),
        "nobody": UserFactory(),
    }


@pytest.fixture
def me_client(client, squad):
    client.force_login(squad["me"].user)
    return client


def pains(rest=1, activity=2, morning=0, **extra):
    return {"pain_rest": rest, "pain_activity": activity, "pain_morning": morning, **extra}


@pytest.fixture
def shipped_templates(transactional_db):
    """The metric registry and protocol templates the data migrations ship. serialized_rollback
    restores them for transactional (live_server) tests; load them here should it not have."""
    from monitoring.metric_registry import METRICS
    from monitoring.models import MetricKind
    from rehab.models import GateCriterion, Phase, Protocol
    from rehab.protocol_templates import load_templates

    if not Protocol.objects.filter(is_template=True).exists():
        for code, name, unit, direction, category, bilateral, swc_pct, description in METRICS:
            MetricKind.objects.get_or_create(
                code=code,
                defaults=dict(
                    name=name,
                    unit=unit,
                    direction=direction,
                    category=category,
                    bilateral=bilateral,
                    swc_pct=swc_pct,
                    description=description,
                ),
            )
        load_templates(Protocol, Phase, GateCriterion, MetricKind)
