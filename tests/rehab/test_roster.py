"""The roster: the coach's squad, who needs attention first, filters, constant queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from athletes.models import Role
from monitoring.rules import missed_checkins
from rehab.selectors import (
    ADVANCE,
    ASSIGN_PROTOCOL,
    CHASE_CHECKIN,
    COLLECT_EVIDENCE,
    DECLINED,
    READY_FOR_REVIEW,
    REVIEW_FLAG,
    WAITING_FOR_CLINICIAN,
    attach_pain_trends,
    roster,
)
from rehab.services import advance_phase, regress_phase
from rehab.signoff import decide_signoff
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    FlagFactory,
    InjuryFactory,
    MeasurementFactory,
    SessionFactory,
    TeamFactory,
    athlete_with_login,
    metric,
    staff,
    start_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    """A team of its own rather than the world's: every roster test reads the whole roster
    (its rows, their order, the query count), so the team holds only the athletes it adds."""
    return TeamFactory(name="Riverside")


@pytest.fixture
def coach(team):
    return staff(team, Role.COACH)


def checked_in(athlete, days_ago=0, **pain):
    return CheckInFactory(
        athlete=athlete, taken_at=timezone.now() - dt.timedelta(days=days_ago), **pain
    )


def all_gates_met_in_phase_0(athlete):
    plan = start_plan(athlete, 0, entered_days_ago=10)
    today = timezone.localdate()
    for n in (5, 3, 1):
        SessionFactory(athlete=athlete, date=today - dt.timedelta(days=n), pain_during=0)
    MeasurementFactory(athlete=athlete, metric=metric("palpation"), side="left", value=1)
    return plan


def test_home_sends_coaches_to_the_roster_and_clinicians_to_their_queue(client, team, coach):
    client.force_login(coach)
    assert client.get(reverse("home")).url == reverse("coach:roster")
    client.force_login(staff(team, Role.CLINICIAN))
    assert client.get(reverse("home")).url == reverse("clinic:queue")


def test_an_athlete_cannot_open_the_coach_workspace(client, team):
    athlete = athlete_with_login(team)
    client.force_login(athlete.user)
    assert client.get(reverse("coach:roster")).status_code == 403
    assert client.get(reverse("coach:athlete", args=[athlete.pk])).status_code == 403
    assert client.get(reverse("home"))["Location"] == reverse("me:today")


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("coach:roster"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_roster_lists_only_the_coachs_teams(client, team, coach):
    mine = AthleteFactory(team=team, first_name="Mine")
    AthleteFactory(team=TeamFactory(), first_name="Theirs")
    client.force_login(coach)
    response = client.get(reverse("coach:roster"))
    assert response.status_code == 200
    assert [r.athlete for r in response.context["rows"]] == [mine]
    assert b"Theirs" not in response.content


def test_roster_row_shows_phase_day_gates_pain_trend_and_next_action(team, coach):
    athlete = AthleteFactory(team=team)
    start_plan(athlete, 2, entered_days_ago=4)
    checked_in(athlete, 1, pain_rest=1, pain_activity=3)
    checked_in(athlete, 0, pain_morning=2)
    (row,) = attach_pain_trends(roster(coach))
    assert row.plan.current_phase.order == 2
    assert row.day_in_phase == 5  # entered 4 days ago: day 5
    assert row.pain_values[-2:] == [3, 2] and row.pain_values[0] is None
    assert len(row.pain_trend) == 14
    assert (row.gates["met"], row.gates["total"]) == (0, 6)
    assert row.action == COLLECT_EVIDENCE


def test_roster_puts_who_needs_attention_first(team, coach):
    flagged = AthleteFactory(team=team, last_name="Zed")
    start_plan(flagged, 2)
    checked_in(flagged)
    FlagFactory(athlete=flagged)
    silent = AthleteFactory(team=team, last_name="Young")
    start_plan(silent, 1)
    checked_in(silent, days_ago=4)
    ready = AthleteFactory(team=team, last_name="Xu")
    all_gates_met_in_phase_0(ready)
    checked_in(ready)
    review = AthleteFactory(team=team, last_name="Walker")
    start_plan(review, 6)  # no gates in phase 6: nothing to advance to
    checked_in(review)
    calm = AthleteFactory(team=team, last_name="Abbott")
    start_plan(calm, 3)
    checked_in(calm)
    unplanned = AthleteFactory(team=team, last_name="Baker")  # after Walker (nothing to do)
    InjuryFactory(athlete=unplanned)
    rows = roster(coach)
    assert [(r.athlete.last_name, r.action) for r in rows][:5] == [
        ("Zed", REVIEW_FLAG),
        ("Young", CHASE_CHECKIN),
        ("Xu", ADVANCE),
        ("Abbott", COLLECT_EVIDENCE),
        ("Baker", ASSIGN_PROTOCOL),
    ]


@pytest.mark.parametrize(
    "plan_days, checkin_days_ago, chase",
    [
        (1, None, False),  # a plan started yesterday, nothing logged yet: not a gap yet
        (2, 10, False),  # the last check-in predates the plan: the gap counts from its start
        (4, None, True),
        (10, 3, True),
        (10, 2, False),
    ],
)
def test_chase_check_in_asks_the_missed_check_in_rule(
    team, coach, plan_days, checkin_days_ago, chase
):
    """The roster counts a gap as monitoring.rules.missed_checkins does (PRODUCT.md §2.6): from
    the later of the last check-in and the plan's start. It used to ignore the plan's start."""
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, 1, entered_days_ago=plan_days)
    if checkin_days_ago is not None:
        checked_in(athlete, days_ago=checkin_days_ago)
    (row,) = roster(coach)
    assert (row.action == CHASE_CHECKIN) is chase
    flagged = missed_checkins(
        last_checkin_at=row.last_checkin_at,
        plan_started_at=plan.started_at,
        now=timezone.now(),
        days=plan.protocol.missed_checkin_days,
    )
    assert (flagged is not None) is chase


def test_ready_for_clinician_review_when_the_next_phase_needs_it(team, coach):
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, 4)
    plan.current_phase.gates.all().delete()  # no gates: every gate is met
    checked_in(athlete)
    (row,) = roster(coach)
    assert row.action == READY_FOR_REVIEW


def test_after_a_declined_sign_off_the_roster_says_declined(client, team, coach):
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, 4)
    plan.current_phase.gates.all().delete()  # no gates: every gate is met
    checked_in(athlete)
    clinician = staff(team, Role.CLINICIAN)
    request = advance_phase(plan, by=coach).signoff_request
    (row,) = roster(coach)
    assert row.action == WAITING_FOR_CLINICIAN
    decide_signoff(request, by=clinician, decision="decline", rationale="Hop LSI borderline.")
    (row,) = roster(coach)
    assert row.action == DECLINED == "declined by clinician"
    client.force_login(coach)
    assert "declined by clinician" in client.get(reverse("coach:roster")).content.decode()
    assert "ready for clinician review" not in client.get(reverse("coach:roster")).content.decode()
    # The athlete page tells why.
    page = client.get(reverse("coach:athlete", args=[athlete.pk])).content.decode()
    assert "declined" in page and "Hop LSI borderline." in page
    # Asked again: waiting for the new decision, not "declined".
    plan.refresh_from_db()
    again = advance_phase(plan, by=coach).signoff_request
    (row,) = roster(coach)
    assert row.action == WAITING_FOR_CLINICIAN
    # Approved this time: the plan moved on, the earlier decline is history.
    decide_signoff(again, by=clinician, decision="approve", rationale="Re-test passed.")
    (row,) = roster(coach)
    assert row.plan.current_phase.order == 5 and row.action != DECLINED


def test_a_decline_from_an_earlier_stay_in_the_phase_is_no_longer_news(team, coach):
    athlete = AthleteFactory(team=team)
    plan = start_plan(athlete, 4, entered_days_ago=20)
    plan.current_phase.gates.all().delete()
    checked_in(athlete)
    clinician = staff(team, Role.CLINICIAN)
    request = advance_phase(plan, by=coach, now=timezone.now() - dt.timedelta(days=5))
    decide_signoff(
        request.signoff_request,
        by=clinician,
        decision="decline",
        rationale="Not yet.",
        now=timezone.now() - dt.timedelta(days=4),
    )
    assert roster(coach)[0].action == DECLINED
    # Back to phase 3 and into phase 4 again: the old decline was about the earlier stay.
    plan.refresh_from_db()
    regress_phase(plan, to_phase=plan.earlier_phases().last(), by=coach, reason="Soreness.")
    plan.refresh_from_db()
    plan.current_phase.gates.all().delete()
    advance_phase(plan, by=coach)
    (row,) = roster(coach)
    assert row.plan.current_phase.order == 4 and row.action == READY_FOR_REVIEW


def test_filters_by_team_phase_and_name(client, coach, team):
    other = TeamFactory(name="Northside")
    staff(other, Role.COACH, username="x").memberships.create(team=team, role=Role.COACH)
    a = AthleteFactory(team=team, first_name="Ada", last_name="Lovelace")
    start_plan(a, 2)
    b = AthleteFactory(team=team, first_name="Bo", last_name="Diddley")
    start_plan(b, 3)
    c = AthleteFactory(team=team, first_name="Cy", last_name="Young")
    assert [r.athlete for r in roster(coach, phase=2)] == [a]
    assert [r.athlete for r in roster(coach, phase="none")] == [c]
    assert [r.athlete for r in roster(coach, q="dId")] == [b]
    client.force_login(coach)
    response = client.get(reverse("coach:roster"), {"phase": "3", "q": "", "team": team.pk})
    assert [r.athlete for r in response.context["rows"]] == [b]


def test_filter_form_over_htmx_returns_only_the_table(client, team, coach):
    AthleteFactory(team=team, first_name="Ada")
    client.force_login(coach)
    response = client.get(reverse("coach:roster"), {"q": "ada"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="roster-table">')
    assert "<html" not in body and "Ada" in body


@pytest.mark.parametrize(
    "params",
    [
        {"team": "abc"},
        {"team": "999999"},
        {"phase": "9"},
        {"phase": "'; drop table"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_never_fail(client, coach, team, params):
    AthleteFactory(team=team)
    client.force_login(coach)
    assert client.get(reverse("coach:roster"), params).status_code == 200


def test_a_team_filter_cannot_reach_another_team(client, coach):
    outsider = AthleteFactory(team=TeamFactory())
    client.force_login(coach)
    response = client.get(reverse("coach:roster"), {"team": outsider.team_id})
    assert outsider not in [r.athlete for r in response.context["rows"]]


def _squad(team, count):
    for i in range(count):
        athlete = AthleteFactory(team=team)
        if i % 5 == 4:
            continue  # some without a plan
        start_plan(athlete, i % 7, muscle_group="calf" if i % 2 else "hamstring")
        checked_in(athlete, i % 4, pain_rest=i % 3)
        SessionFactory(athlete=athlete, pain_during=1)
        MeasurementFactory(athlete=athlete, metric=metric("h_test"), side="left", value=1)
        if i % 3 == 0:
            FlagFactory(athlete=athlete)


def test_roster_query_count_does_not_grow_with_the_squad(
    client, team, coach, django_assert_max_num_queries
):
    client.force_login(coach)
    _squad(team, 10)
    # 25, with every plan's gates judged live (none has stored counts here; read from stored
    # counts the selector does 7 fewer: test_gate_summary); three are the speed_exposures
    # gates' sprint trials and pre-injury top speeds (rehab.gates.facts); one is the two-factor rule every
    # page checks (athletes.two_factor), one the bell's unread count in the staff header, one
    # the 14-day check-in rates' grouped count (rehab.compliance).
    with django_assert_max_num_queries(25) as small:
        assert len(client.get(reverse("coach:roster")).context["rows"]) == 10
    _squad(team, 190)
    with django_assert_max_num_queries(25) as large:
        response = client.get(reverse("coach:roster"))
    assert len(response.context["rows"]) == 200
    assert len(large.captured_queries) == len(small.captured_queries)
