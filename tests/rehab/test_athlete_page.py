"""The coach's athlete page and its actions: scoped, constant queries, bad input refused."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from athletes.models import Role
from monitoring.models import CheckIn, Flag
from rehab.models import Phase, PhaseChange, Plan, SignOffRequest
from tests.factories import (
    AthleteFactory,
    FlagFactory,
    InjuryFactory,
    MeasurementFactory,
    SessionFactory,
    TeamFactory,
    metric,
    staff,
    start_plan,
    template,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(athlete):
    return start_plan(athlete, 3, entered_days_ago=3)


def url(name, athlete, *args):
    return reverse(f"coach:{name}", args=[athlete.pk, *args])


def test_page_shows_phase_gates_history_and_logs(client, coach, athlete, plan):
    SessionFactory(athlete=athlete, pain_during=1)
    MeasurementFactory(athlete=athlete, metric=metric("single_leg_hop"), side="left", value=150)
    client.force_login(coach)
    response = client.get(url("athlete", athlete))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Phase 3 — Longer accelerations and fly-ins" in body
    assert "Missing evidence" in body
    assert "Plan started" in body
    assert "Single-leg hop distance" in body
    assert "uplot-1.6.32/uPlot.iife.min.js" in body and "js/charts.js" in body
    assert "safe" not in body.lower()


def test_a_clinician_of_the_team_sees_the_page_without_the_advance_button(
    client, team, athlete, plan
):
    client.force_login(staff(team, Role.CLINICIAN))
    response = client.get(url("athlete", athlete))
    assert response.status_code == 200
    assert b"Advance to phase" not in response.content
    assert b"Regress" in response.content


def _outsider_requests(athlete, flag):
    return [
        ("get", url("athlete", athlete), {}),
        ("post", url("advance", athlete), {"version": 0, "override": "on", "reason": "x"}),
        ("post", url("regress", athlete), {"version": 0, "to_phase": 1, "reason": "x"}),
        ("post", url("assign", athlete), {}),
        ("post", url("flag-acknowledge", athlete, flag.pk), {}),
        ("post", url("flag-resolve", athlete, flag.pk), {"note": "x"}),
    ]


def test_a_coach_of_another_team_gets_404_on_every_page_and_action(client, athlete, plan):
    flag = FlagFactory(athlete=athlete)
    client.force_login(staff(TeamFactory(), Role.COACH))
    for method, target, data in _outsider_requests(athlete, flag):
        assert getattr(client, method)(target, data).status_code == 404, target
    plan.refresh_from_db()
    flag.refresh_from_db()
    assert plan.version == 0 and flag.status == "open"


def test_an_athlete_gets_403_on_the_coach_pages_even_for_their_own_record(client, athlete, plan):
    flag = FlagFactory(athlete=athlete)
    client.force_login(athlete.user)
    for method, target, data in _outsider_requests(athlete, flag):
        assert getattr(client, method)(target, data).status_code == 403, target


def test_a_flag_of_another_athlete_is_404_even_through_a_visible_athlete(client, coach, athlete):
    theirs = FlagFactory(athlete=AthleteFactory(team=TeamFactory()))
    client.force_login(coach)
    response = client.post(url("flag-acknowledge", athlete, theirs.pk))
    assert response.status_code == 404


def test_query_count_does_not_grow_with_the_logs(
    client, coach, athlete, plan, django_assert_max_num_queries
):
    client.force_login(coach)

    def add_checkins(days):
        today = timezone.localdate()
        CheckIn.objects.bulk_create(
            CheckIn(
                athlete=athlete,
                taken_at=timezone.now() - dt.timedelta(days=n),
                local_date=today - dt.timedelta(days=n),
                pain_rest=n % 3,
                pain_activity=n % 4,
                pain_morning=n % 2,
                confidence=6,
            )
            for n in days
        )

    plan.started_at = plan.phase_entered_at = timezone.now() - dt.timedelta(days=1100)
    plan.save()
    add_checkins(range(10))
    for n in range(5):
        SessionFactory(athlete=athlete, date=timezone.localdate() - dt.timedelta(days=n))
        MeasurementFactory(athlete=athlete, metric=metric("split_30m"), value=4 + n / 10)
    # 30: the page also reads the sign-off decisions and the audit trail (one query each), the
    # check-in log (a count and a page), the two-factor rule every page checks, (31) the
    # bell's unread count in the staff header (monitoring.context_processors) and (32) the
    # athlete's reminder, for the coach's suggestion form, (33) the latest sprint trials, (35)
    # the pre-injury top speed (a typed baseline, the fastest trial before the injury), (36)
    # the velocity ladder's trials and (39) a speed_exposures gate's trials and top speed.
    with django_assert_max_num_queries(39) as small:
        client.get(url("athlete", athlete))
    add_checkins(range(10, 1000))
    for n in range(5, 60):
        SessionFactory(athlete=athlete, date=timezone.localdate() - dt.timedelta(days=n))
        MeasurementFactory(athlete=athlete, metric=metric("split_30m"), value=4 + n / 100)
    FlagFactory(athlete=athlete)
    with django_assert_max_num_queries(39) as large:
        response = client.get(url("athlete", athlete))
    assert len(response.context["pain_chart"]["days"]) == 1000
    assert len(large.captured_queries) == len(small.captured_queries)


# --- advance -----------------------------------------------------------------------------


def test_advance_without_override_when_gates_are_not_met_shows_the_error(
    client, coach, athlete, plan
):
    client.force_login(coach)
    response = client.post(url("advance", athlete), {"version": 0}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Not every gate is met" in response.content
    assert b'id="advance-form"' in response.content and b"<html" not in response.content
    plan.refresh_from_db()
    assert plan.current_phase.order == 3 and plan.version == 0


def test_override_without_reason_is_a_field_error_and_nothing_changes(client, coach, athlete, plan):
    client.force_login(coach)
    response = client.post(url("advance", athlete), {"version": 0, "override": "on", "reason": " "})
    assert response.status_code == 400
    assert response.context["advance_form"].errors["reason"] == [
        "An override needs a written reason."
    ]
    assert plan.phase_changes.count() == 1


def test_override_with_reason_advances_and_reloads_the_page(client, coach, athlete, plan):
    client.force_login(coach)
    response = client.post(
        url("advance", athlete),
        {"version": 0, "override": "on", "reason": "Physio cleared"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == url("athlete", athlete)
    plan.refresh_from_db()
    assert plan.current_phase.order == 4
    change = plan.phase_changes.get(kind=PhaseChange.Kind.OVERRIDE)
    assert change.changed_by == coach and change.reason == "Physio cleared"
    page = client.get(url("athlete", athlete))
    assert b"Advanced with override" in page.content and b"Physio cleared" in page.content


def test_advance_with_a_stale_version_says_someone_else_acted(client, coach, athlete, plan):
    client.force_login(coach)
    data = {"version": 0, "override": "on", "reason": "go"}
    client.post(url("advance", athlete), data)
    response = client.post(url("advance", athlete), data)
    assert b"changed by someone else" in response.content
    plan.refresh_from_db()
    assert plan.current_phase.order == 4


def test_advance_into_phase_5_becomes_a_request_for_clinician_review(client, coach, athlete):
    plan = start_plan(athlete, 4)
    client.force_login(coach)
    client.post(url("advance", athlete), {"version": 0, "override": "on", "reason": "ready"})
    plan.refresh_from_db()
    assert plan.current_phase.order == 4
    assert SignOffRequest.objects.get(plan=plan).status == "pending"
    page = client.get(url("athlete", athlete), follow=True)
    assert b"Ready for clinician review" in page.content
    assert b"Waiting for clinician review" in page.content


@pytest.mark.parametrize("data", [{}, {"version": "x"}, {"version": "-1"}])
def test_malformed_advance_posts_are_errors_not_500(client, coach, athlete, plan, data):
    client.force_login(coach)
    assert client.post(url("advance", athlete), data).status_code == 400


def test_advance_without_an_active_plan_is_404(client, coach, athlete):
    client.force_login(coach)
    assert client.post(url("advance", athlete), {"version": 0}).status_code == 404


# --- regress -----------------------------------------------------------------------------


def test_regress_without_reason_or_to_a_later_phase_is_refused(client, coach, athlete, plan):
    client.force_login(coach)
    later = Phase.objects.get(protocol=plan.protocol, order=5)
    earlier = Phase.objects.get(protocol=plan.protocol, order=1)
    response = client.post(
        url("regress", athlete), {"version": 0, "to_phase": earlier.pk, "reason": ""}
    )
    assert "reason" in response.context["regress_form"].errors
    response = client.post(
        url("regress", athlete), {"version": 0, "to_phase": later.pk, "reason": "x"}
    )
    assert "to_phase" in response.context["regress_form"].errors
    other = Phase.objects.get(protocol=template("calf"), order=1)
    response = client.post(
        url("regress", athlete), {"version": 0, "to_phase": other.pk, "reason": "x"}
    )
    assert "to_phase" in response.context["regress_form"].errors
    plan.refresh_from_db()
    assert plan.current_phase.order == 3 and plan.phase_changes.count() == 1


def test_the_regress_dialog_offers_only_earlier_phases(client, coach, athlete, plan):
    client.force_login(coach)
    response = client.get(url("athlete", athlete))
    form = response.context["regress_form"]
    assert [p.order for p in form.fields["to_phase"].queryset] == [0, 1, 2]  # plan in phase 3
    dialog = response.content.decode().split('id="regress-dialog"')[1].split("</dialog>")[0]
    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', dialog)
    assert offered == ["0. Protect and assess", "1. Technique and base", "2. Short accelerations"]


def test_regress_preselects_a_pain_flags_proposal(client, coach, athlete, plan):
    proposed = Phase.objects.get(protocol=plan.protocol, order=2)
    flag = FlagFactory(athlete=athlete, plan=plan, proposed_regression_to=proposed)
    client.force_login(coach)
    form = client.get(url("athlete", athlete)).context["regress_form"]
    assert form.initial["to_phase"] == proposed.pk and form.initial["flag"] == flag.pk
    response = client.post(
        url("regress", athlete),
        {"version": 0, "to_phase": proposed.pk, "reason": "Pain flag", "flag": flag.pk},
    )
    assert response.status_code == 302
    change = plan.phase_changes.get(kind="regress")
    assert change.to_phase == proposed and change.evidence["flag"]["id"] == flag.pk


# --- assign ------------------------------------------------------------------------------


def test_assign_a_protocol_to_a_new_injury(client, coach, athlete):
    injury = InjuryFactory(athlete=athlete, muscle_group="calf")
    client.force_login(coach)
    page = client.get(url("athlete", athlete))
    assert page.context["assign_form"] is not None
    wrong = client.post(url("assign", athlete), {"injury": injury.pk, "protocol": template().pk})
    assert "protocol" in wrong.context["assign_form"].errors
    response = client.post(
        url("assign", athlete), {"injury": injury.pk, "protocol": template("calf").pk}
    )
    assert response.status_code == 302
    assert Plan.objects.get(injury=injury).current_phase.order == 0


# --- flags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note, message",
    [
        ("a\x00b", "Null characters are not allowed."),
        ("x" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
    ],
)
def test_a_note_the_database_cannot_hold_is_refused_and_the_flag_stays_open(
    client, coach, athlete, plan, note, message
):
    flag = FlagFactory(athlete=athlete)
    client.force_login(coach)
    response = client.post(
        url("flag-acknowledge", athlete, flag.pk), {"note": note}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert Flag.objects.get(pk=flag.pk).status == "open"


def test_acknowledge_and_resolve_a_flag_over_htmx(client, coach, athlete, plan):
    flag = FlagFactory(athlete=athlete, summary="Pain above threshold for 52 h")
    client.force_login(coach)
    response = client.post(url("flag-acknowledge", athlete, flag.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Acknowledged" in response.content
    assert response.content.decode().lstrip().startswith(f'<li id="flag-{flag.pk}">')
    again = client.post(url("flag-acknowledge", athlete, flag.pk), HTTP_HX_REQUEST="true")
    assert b"no longer open" in again.content
    empty = client.post(url("flag-resolve", athlete, flag.pk), {"note": ""}, HTTP_HX_REQUEST="true")
    assert b"Say what was done" in empty.content
    assert Flag.objects.get(pk=flag.pk).status == "acknowledged"
    done = client.post(
        url("flag-resolve", athlete, flag.pk),
        {"note": "Rest day, pain settled"},
        HTTP_HX_REQUEST="true",
    )
    assert b"Rest day, pain settled" in done.content
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.resolved_by == coach


HUGE = "9" * 30


@pytest.mark.parametrize(
    "name, data",
    [
        ("advance", {"version": HUGE, "override": "on", "reason": "x"}),
        ("advance", {"version": "0", "override": "maybe", "reason": "x" * 5000}),
        ("regress", {"version": "0", "to_phase": HUGE, "reason": "x"}),
        ("regress", {"version": "0", "to_phase": "abc", "reason": "x", "flag": HUGE}),
        ("regress", {"version": HUGE, "to_phase": "1", "reason": "x", "flag": "-1"}),
        ("assign", {"injury": HUGE, "protocol": "x"}),
        ("session-new", {"date": "2026-02-30", "type": "tempo", "duration_min": HUGE, "rpe": HUGE}),
        (
            "session-new",
            {"sprint_distance_m": HUGE, "temperature_c": "-999", "top_intensity_pct": "101"},
        ),
        ("measurement-new", {"metric": HUGE, "value": "1e999", "measured_at": "not a date"}),
    ],
)
def test_hostile_input_is_an_error_never_a_500(client, coach, athlete, plan, name, data):
    InjuryFactory(athlete=athlete)
    client.force_login(coach)
    response = client.post(url(name, athlete), data)
    assert response.status_code in (200, 400)
    plan.refresh_from_db()
    assert plan.version == 0


@pytest.mark.parametrize(
    "params", [{"sessions_page": HUGE}, {"measurements_page": "-3"}, {"sessions_page": "x"}]
)
def test_odd_page_numbers_still_render(client, coach, athlete, plan, params):
    client.force_login(coach)
    assert client.get(url("athlete", athlete), params).status_code == 200


def test_huge_ids_in_urls_are_404(client, coach, athlete):
    client.force_login(coach)
    assert client.get(f"/coach/athletes/{HUGE}/").status_code == 404
    assert client.post(f"/coach/athletes/{athlete.pk}/flags/{HUGE}/acknowledge/").status_code == 404
    assert client.get(reverse("coach:roster"), {"page": HUGE, "team": HUGE}).status_code == 200
