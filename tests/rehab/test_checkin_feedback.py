"""Something back for every check-in (rehab.checkin_feedback): the week's pain against the last,
the streak, what stands before the next phase, and the flags the athlete's staff were told of."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from monitoring.models import FlagKind, FlagStatus
from rehab.checkin_feedback import checkin_feedback
from tests.factories import (
    CheckInFactory,
    FlagFactory,
    MeasurementFactory,
    SessionFactory,
    metric,
    start_plan,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 20, 0, tzinfo=ZoneInfo("Europe/London"))
# PRODUCT.md §2.8: evidence, never advice, readiness or clearance.
NOT_OUR_WORDS = re.compile(r"\b(safe|healthy|cleared?|no risk|ready to|should|must)\b", re.I)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def logged(athlete, days_ago, **pain):
    return CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(days=days_ago), **pain)


def feedback_of(athlete):
    feedback = checkin_feedback(athlete, now=NOW)
    for line in feedback.lines:
        assert line and "None" not in line and not NOT_OUR_WORDS.search(line), line
    return feedback


@pytest.mark.parametrize(
    "this_week, last_week, line",
    [
        (2, 5, "Worst pain in the last 7 days: 2/10, down from 5/10."),
        (4, 1, "Worst pain in the last 7 days: 4/10, up from 1/10."),
        (3, 3, "Worst pain in the last 7 days: 3/10, the same as the 7 days before."),
        (
            3,
            None,
            "Worst pain in the last 7 days: 3/10 (no check-in in the 7 days before to compare "
            "with).",
        ),
    ],
)
def test_this_weeks_pain_against_last_weeks_in_one_line(athlete, this_week, last_week, line):
    logged(athlete, 0, pain_activity=this_week)
    if last_week is not None:
        logged(athlete, 9, pain_morning=last_week)
    assert feedback_of(athlete).pain_text == line


def test_the_streak_counts_back_to_the_last_gap(athlete):
    for days_ago in (0, 1, 2, 4):
        logged(athlete, days_ago)
    feedback = feedback_of(athlete)
    assert feedback.streak == 3
    assert feedback.streak_text == "3 days in a row with a check-in."


def test_one_day_reads_in_the_singular(athlete):
    logged(athlete, 0)
    assert feedback_of(athlete).streak_text == "1 day in a row with a check-in."


def test_gates_not_met_and_missing_are_listed_in_the_athletes_words(athlete):
    start_plan(athlete, 3, entered_days_ago=9)
    logged(athlete, 0)
    strength = metric("knee_flexor_strength")
    MeasurementFactory(athlete=athlete, metric=strength, side="left", value=300)
    MeasurementFactory(athlete=athlete, metric=strength, side="right", value=400)
    nxt = feedback_of(athlete).next_phase
    assert nxt.order == 4 and (nxt.met, nxt.total) == (1, 7)  # only the minimum days
    assert nxt.text == (
        "Before phase 4 (High speed and reactive): 1 of 7 criteria met. Still to show:"
    )
    remaining = {g.text: g.status for g in nxt.remaining}
    assert remaining == {
        "Pain during sessions: 0 of 3 sessions logged in this phase so far": "missing",
        "Pain the morning after sessions: 0 of 3 sessions logged in this phase so far": "missing",
        "Strength of your injured leg: 75\u00a0% of the other leg — the target is 90\u00a0%": "not_met",
        "No single-leg hop test logged in this phase yet": "missing",
        "30 m sprint time: no value from before the injury on record": "missing",
        "Fast sprints: no top speed from before your injury on record": "missing",
    }


def test_every_gate_met_says_so_and_leaves_the_step_to_the_coach(athlete):
    start_plan(athlete, 0, entered_days_ago=10)
    for n in (5, 3, 1):
        SessionFactory(athlete=athlete, date=(NOW - dt.timedelta(days=n)).date(), pain_during=0)
    MeasurementFactory(athlete=athlete, metric=metric("palpation"), side="left", value=1)
    logged(athlete, 0)
    nxt = feedback_of(athlete).next_phase
    assert nxt.remaining == [] and (nxt.met, nxt.total) == (3, 3)
    assert nxt.text == (
        "All 3 criteria for phase 1 (Technique and base) show as met in your data: your coach "
        "decides the next step."
    )


def test_a_step_that_needs_clinical_review_says_so(athlete):
    start_plan(athlete, 4, entered_days_ago=2)
    assert feedback_of(athlete).next_phase.text.endswith(
        "Moving to phase 5 also needs your clinician's review."
    )


def test_the_last_phase_and_no_plan(athlete, teammate):
    start_plan(athlete, 6)
    assert feedback_of(athlete).next_phase.text == "You are in the last phase of your plan."
    assert feedback_of(teammate).next_phase is None


def test_an_open_flag_says_the_staff_have_been_told(athlete, teammate):
    start_plan(athlete, 2)
    FlagFactory(
        athlete=athlete,
        kind=FlagKind.PAIN_PERSISTING,
        evidence={"threshold": 3, "hours": 52},
        opened_at=NOW - dt.timedelta(hours=1),
    )
    assert feedback_of(athlete).flags == [
        "Your pain has stayed at 3 or above for 52 hours — your coach and clinician have been told."
    ]
    # Once a person has acknowledged it, the feedback no longer announces it (My plan does).
    FlagFactory(
        athlete=teammate,
        kind=FlagKind.MISSED_CHECKINS,
        status=FlagStatus.ACKNOWLEDGED,
        acknowledged_at=NOW,
    )
    assert feedback_of(teammate).flags == []


def test_the_api_object_carries_every_line(athlete):
    start_plan(athlete, 3, entered_days_ago=9)
    logged(athlete, 0, pain_rest=2)
    data = feedback_of(athlete).as_dict()
    assert data["pain"] == {
        "this_week": 2,
        "last_week": None,
        "text": feedback_of(athlete).pain_text,
    }
    assert data["streak"]["days"] == 1
    assert data["next_phase"]["order"] == 4 and len(data["next_phase"]["remaining"]) == 6
    assert data["lines"][0] == data["pain"]["text"] and data["flags"] == []
