"""The athlete's plain-words messages about their unresolved flags (/me/plan/)."""

import datetime as dt

import pytest
import time_machine

from monitoring.models import FlagKind
from monitoring.selectors import athlete_flag_messages
from rehab import scan
from tests.factories import AthleteFactory, CheckInFactory, FlagFactory, TeamFactory, start_plan

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def at(hours):
    return T0 + dt.timedelta(hours=hours)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def athlete_with_rising_pain(team, frozen):
    athlete = AthleteFactory(team=team, first_name="Aisha", last_name="Bello")
    frozen.move_to(T0 - dt.timedelta(days=20))
    start_plan(athlete, phase_order=1)
    CheckInFactory(athlete=athlete, taken_at=at(0), pain_rest=0, pain_activity=0, pain_morning=0)
    CheckInFactory(athlete=athlete, taken_at=at(24), pain_rest=1, pain_activity=2, pain_morning=0)
    CheckInFactory(athlete=athlete, taken_at=at(48), pain_rest=0, pain_activity=1, pain_morning=3)
    frozen.move_to(at(48))
    scan.scan_all()
    return athlete


def test_the_rising_pain_message_shows_the_worst_pain_of_each_report(frozen):
    athlete = athlete_with_rising_pain(TeamFactory(), frozen)
    assert athlete_flag_messages(athlete) == [
        "Your pain has gone up in your last three check-ins (0 → 2 → 3 out of 10) — "
        "your coach and clinician have been told."
    ]


@pytest.mark.parametrize(
    "kind, evidence",
    [
        (FlagKind.PAIN_PERSISTING, {}),
        (FlagKind.PAIN_PERSISTING, {"rule": "rising"}),
        (FlagKind.PAIN_PERSISTING, {"rule": "rising", "reports": [{}, {"rest": None}, {}]}),
        (FlagKind.PAIN_PERSISTING, {"threshold": None, "hours": None, "first_painful_at": None}),
        (FlagKind.MISSED_CHECKINS, {"days_without_checkin": None}),
        (FlagKind.METRIC_REGRESSION, {"metric_name": None}),
    ],
)
def test_a_flag_message_never_says_none_even_with_evidence_missing(kind, evidence):
    flag = FlagFactory(kind=kind, evidence=evidence)
    (message,) = athlete_flag_messages(flag.athlete)
    assert "None" not in message
    assert message.endswith("your coach and clinician have been told.")
