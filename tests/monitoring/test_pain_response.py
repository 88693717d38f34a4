"""The 24-hour pain response (issue 19, Silbernagel's pain-monitoring model): each session is
green / amber / red from the pain during it and the next morning's pain (≤ 3 green, 4–5 amber,
> 5 red by default, the protocol's numbers), red too when the next morning's pain is higher than
the morning before; "waiting" until the next morning's check-in exists. A red response raises
one flag of kind `pain_response`. Frozen time throughout."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import Flag, FlagKind
from monitoring.pain_response import session_responses
from monitoring.rules import pain_response
from monitoring.selectors import athlete_flag_messages, flag_summary
from monitoring.services import resolve_flag
from rehab import scan
from tests.factories import CheckInFactory, SessionFactory, start_plan

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
SESSION_DAY = dt.date(2026, 6, 8)
KIND = FlagKind.PAIN_RESPONSE


@pytest.fixture
def plan(world):
    with time_machine.travel(NOW - dt.timedelta(days=5), tick=False):
        return start_plan(world.athlete, phase_order=1, entered_days_ago=0)


def checkin(world, day, morning, *, at=None):
    """A check-in on `day` (07:00 local) with that morning pain, logged at `at` (that time)."""
    taken = dt.datetime.combine(day, dt.time(7, 0), tzinfo=dt.UTC)
    with time_machine.travel(at or taken, tick=False):
        return CheckInFactory(athlete=world.athlete, taken_at=taken, pain_morning=morning)


def session(world, plan, day, during, *, at=None):
    at = at or dt.datetime.combine(day, dt.time(18, 0), tzinfo=dt.UTC)
    with time_machine.travel(at, tick=False):
        return SessionFactory(athlete=world.athlete, plan=plan, date=day, pain_during=during)


def flags(world):
    return list(Flag.objects.filter(athlete=world.athlete, kind=KIND))


@pytest.mark.parametrize(
    ("during", "next_morning", "expected"),
    [
        (3, 0, "green"),
        (0, 3, "green"),
        (4, 0, "amber"),
        (0, 4, "amber"),
        (5, 5, "amber"),
        (6, 0, "red"),
        (0, 6, "red"),
    ],
)
def test_the_thresholds_at_their_edges(during, next_morning, expected):
    kwargs = {"reference_morning_pain": 10}  # no rise: only the thresholds decide
    assert pain_response(pain_during=during, next_morning_pain=next_morning, **kwargs) == expected


def test_next_morning_pain_higher_than_the_morning_before_is_red():
    assert pain_response(pain_during=2, next_morning_pain=3, reference_morning_pain=2) == "red"
    assert pain_response(pain_during=2, next_morning_pain=2, reference_morning_pain=2) == "green"


def test_waiting_without_next_morning_and_null_without_pain_during():
    assert pain_response(pain_during=2, next_morning_pain=None, reference_morning_pain=1) == (
        "waiting"
    )
    assert pain_response(pain_during=None, next_morning_pain=2, reference_morning_pain=1) is None


def test_the_protocols_thresholds_decide():
    args = {"pain_during": 4, "next_morning_pain": 0, "reference_morning_pain": 0}
    assert pain_response(**args) == "amber"
    assert pain_response(**args, green_max=4, amber_max=6) == "green"
    assert pain_response(**args, green_max=2, amber_max=3) == "red"


@pytest.mark.parametrize(
    ("during", "morning_after", "expected"),
    [(3, 1, "green"), (4, 1, "amber"), (5, 1, "amber"), (6, 1, "red"), (1, 2, "red")],
)
def test_sessions_read_their_mornings_from_the_check_ins(
    world, plan, during, morning_after, expected
):
    checkin(world, SESSION_DAY, 1)
    s = session(world, plan, SESSION_DAY, during)
    checkin(world, SESSION_DAY + dt.timedelta(days=1), morning_after)
    assert session_responses([s])[s.pk].response == expected


def test_the_morning_before_may_be_an_earlier_day_in_the_week(world, plan):
    checkin(world, SESSION_DAY - dt.timedelta(days=3), 2)
    s = session(world, plan, SESSION_DAY, 2)
    checkin(world, SESSION_DAY + dt.timedelta(days=1), 3)
    response = session_responses([s])[s.pk]
    assert response.pain.reference_morning_pain == 2
    assert response.pain.reference_date == SESSION_DAY - dt.timedelta(days=3)
    assert response.response == "red"


def test_no_next_morning_check_in_yet_is_waiting_and_raises_nothing(world, plan):
    checkin(world, SESSION_DAY, 1)
    s = session(world, plan, SESSION_DAY, 8)
    assert session_responses([s])[s.pk].response == "waiting"
    scan.scan_all(now=NOW)
    assert flags(world) == []


def test_a_red_response_raises_one_flag_with_its_evidence(world, plan):
    checkin(world, SESSION_DAY, 1)
    s = session(world, plan, SESSION_DAY, 6)
    checkin(world, SESSION_DAY + dt.timedelta(days=1), 2)
    scan.scan_all(now=NOW)
    scan.scan_all(now=NOW + dt.timedelta(minutes=5))
    (flag,) = flags(world)  # exactly once, whatever the number of scans
    assert flag.evidence == {
        "session_id": s.pk,
        "date": "2026-06-08",
        "pain_during": 6,
        "next_morning_pain": 2,
        "reference_morning_pain": 1,
        "reference_date": "2026-06-08",
        "thresholds": {"green_max": 3, "amber_max": 5},
        "red_count": 1,
    }
    assert flag.plan_id == plan.pk
    assert flag_summary(flag) == "red 24-hour pain response: 6/10 during, 2/10 next morning"
    (message,) = athlete_flag_messages(world.athlete, now=NOW)
    assert "6 out of 10 during it, 2 out of 10 the next morning" in message


def test_amber_raises_nothing(world, plan):
    checkin(world, SESSION_DAY, 1)
    session(world, plan, SESSION_DAY, 5)
    checkin(world, SESSION_DAY + dt.timedelta(days=1), 1)
    scan.scan_all(now=NOW)
    assert flags(world) == []


def test_after_a_resolution_only_a_later_session_raises_it_again(world, plan):
    checkin(world, SESSION_DAY - dt.timedelta(days=2), 1)
    session(world, plan, SESSION_DAY - dt.timedelta(days=2), 7)
    checkin(world, SESSION_DAY - dt.timedelta(days=1), 1)
    scan.scan_all(now=NOW)
    (flag,) = flags(world)
    resolve_flag(flag, by=world.coach, note="Eased the load", now=NOW + dt.timedelta(hours=1))
    scan.scan_all(now=NOW + dt.timedelta(hours=2))
    assert len(flags(world)) == 1  # the same session is not raised again
    later_day = dt.date(2026, 6, 11)
    checkin(world, later_day, 1)
    newer = session(world, plan, later_day, 8)
    checkin(world, later_day + dt.timedelta(days=1), 1)
    scan.scan_all(now=dt.datetime(2026, 6, 12, 12, 0, tzinfo=dt.UTC))
    reopened = [f for f in flags(world) if f.is_unresolved]
    assert len(reopened) == 1 and reopened[0].evidence["session_id"] == newer.pk


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_gives_each_session_its_response_in_constant_queries(world, plan):
    api = _api(world.coach)
    url = f"/api/v1/sessions/?athlete={world.athlete.pk}"
    checkin(world, SESSION_DAY, 1)
    session(world, plan, SESSION_DAY, 6)
    checkin(world, SESSION_DAY + dt.timedelta(days=1), 1)
    session(world, plan, SESSION_DAY + dt.timedelta(days=1), 2)
    session(world, plan, SESSION_DAY - dt.timedelta(days=1), None)

    def listed():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200
        return response.json()["results"], len(queries)

    with time_machine.travel(NOW, tick=False):
        rows, few = listed()
        assert {r["date"]: r["pain_response"] for r in rows} == {
            "2026-06-08": "red",
            "2026-06-09": "waiting",
            "2026-06-07": None,
        }
        for day in range(2, 12):
            session(world, plan, SESSION_DAY - dt.timedelta(days=day), 1, at=NOW)
            checkin(world, SESSION_DAY - dt.timedelta(days=day), 1, at=NOW)
        rows, many = listed()
    assert len(rows) == 13
    assert many == few  # the page's check-ins and thresholds in one query each
    one = api.get(f"/api/v1/sessions/{rows[0]['id']}/").json()
    assert one["pain_response"] == rows[0]["pain_response"]


def test_the_api_refuses_an_outsider(world, plan):
    s = session(world, plan, SESSION_DAY, 6)
    assert _api(world.outsider_coach).get(f"/api/v1/sessions/{s.pk}/").status_code == 404


def test_the_protocol_editor_refuses_amber_below_green(world):
    from rehab.forms import ProtocolForm

    data = {
        "name": "Mine",
        "description": "",
        "pain_threshold": 3,
        "pain_persist_hours": 48,
        "missed_checkin_days": 3,
        "response_green_max": 4,
        "response_amber_max": 3,
    }
    form = ProtocolForm(data=data)
    assert not form.is_valid() and "response_amber_max" in form.errors
    form = ProtocolForm(data={**data, "response_amber_max": 11})
    assert not form.is_valid() and "response_amber_max" in form.errors
    assert ProtocolForm(data={**data, "response_amber_max": 6}).is_valid()


def test_the_coach_page_and_the_athletes_history_show_the_response(world, plan, client):
    checkin(world, SESSION_DAY, 1)
    session(world, plan, SESSION_DAY, 4)
    checkin(world, SESSION_DAY + dt.timedelta(days=1), 1)
    with time_machine.travel(NOW, tick=False):
        client.force_login(world.coach)
        page = client.get(reverse("coach:athlete", args=[world.athlete.pk])).content.decode()
        assert 'class="response response-amber">Amber<' in page
        client.force_login(world.athlete.user)
        page = client.get(reverse("me:history")).content.decode()
        assert 'class="response response-amber">Amber<' in page
        assert "at most 3 out of 10" in page


def test_voiding_the_session_marks_the_flag_that_cites_it(world, plan):
    from monitoring.corrections import void_session

    checkin(world, SESSION_DAY, 1)
    s = session(world, plan, SESSION_DAY, 7)
    checkin(world, SESSION_DAY + dt.timedelta(days=1), 1)
    scan.scan_all(now=NOW)
    void_session(s, by=world.coach, reason="Logged twice", now=NOW + dt.timedelta(hours=1))
    (flag,) = flags(world)
    assert flag.evidence_voided_at is not None
    assert "Logged twice" in flag.evidence_voided_note
