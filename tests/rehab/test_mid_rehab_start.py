"""Starting a plan mid-rehab: the page form and POST /api/v1/plans/ call the one service
(rehab.services.assign_protocol); the start and the move into the phase the athlete is in are
explicit phase changes; day in phase and the gates count from the phase's entry date."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.models import AuditEvent
from monitoring.models import Flag
from rehab import services
from rehab.gates import evaluate_plan
from rehab.models import PhaseChange, Plan
from rehab.scan import scan_all
from rehab.selectors.roster import roster
from tests.factories import InjuryFactory, template

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 15)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def injury(world):
    return InjuryFactory(athlete=world.athlete, occurred_on=TODAY - dt.timedelta(days=25))


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_plan_brought_in_at_phase_2_ten_days_ago_is_on_day_11(world, injury):
    plan = services.assign_protocol(
        injury,
        template(),
        by=world.coach,
        started_at=TODAY - dt.timedelta(days=20),
        phase=2,
        phase_entered_at=TODAY - dt.timedelta(days=10),
    )
    plan.refresh_from_db()
    assert plan.current_phase.order == 2
    assert plan.day_in_phase() == 11
    assert timezone.localdate(plan.started_at) == TODAY - dt.timedelta(days=20)
    start, brought_in = PhaseChange.objects.filter(plan=plan).order_by("changed_at")
    assert start.kind == PhaseChange.Kind.START and start.to_phase.order == 0
    assert timezone.localdate(start.changed_at) == TODAY - dt.timedelta(days=20)
    assert brought_in.kind == PhaseChange.Kind.BROUGHT_IN
    assert (brought_in.from_phase.order, brought_in.to_phase.order) == (0, 2)
    assert brought_in.reason == "Brought in at phase 2 on 5 Nov 2026 by Cora Riverside"
    assert brought_in.changed_by == world.coach
    event = AuditEvent.objects.get(athlete=world.athlete)
    assert event.after["reason"] == brought_in.reason


def test_the_roster_reads_the_phase_and_day_of_a_mid_rehab_start(world, injury):
    services.assign_protocol(
        injury, template(), by=world.coach, phase=2, started_at=TODAY - dt.timedelta(days=10)
    )
    row = next(r for r in roster(world.coach) if r.athlete.pk == world.athlete.pk)
    assert row.plan.current_phase.order == 2
    assert row.plan.day_in_phase() == 11


def test_a_plan_started_today_has_only_its_start(world, injury):
    plan = services.assign_protocol(injury, template(), by=world.coach)
    assert plan.current_phase.order == 0 and plan.day_in_phase() == 1
    assert list(plan.phase_changes.values_list("kind", flat=True)) == ["start"]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"started_at": TODAY + dt.timedelta(days=1)}, "started_at"),
        (
            {
                "started_at": TODAY - dt.timedelta(days=3),
                "phase": 2,
                "phase_entered_at": TODAY + dt.timedelta(days=1),
            },
            "phase_entered_at",
        ),
        (
            {
                "started_at": TODAY - dt.timedelta(days=3),
                "phase": 2,
                "phase_entered_at": TODAY - dt.timedelta(days=5),
            },
            "phase_entered_at",
        ),
        ({"phase": 9}, "phase"),
        ({"started_at": TODAY - dt.timedelta(days=40)}, "started_at"),  # before the injury
    ],
)
def test_future_dates_an_entry_before_the_start_and_unknown_phases_are_refused(
    world, injury, kwargs, field
):
    with pytest.raises(ValidationError) as refused:
        services.assign_protocol(injury, template(), by=world.coach, **kwargs)
    assert field in refused.value.message_dict
    assert not Plan.objects.exists() and not PhaseChange.objects.exists()


def test_the_api_starts_a_plan_mid_rehab(world, injury):
    body = {
        "injury": injury.pk,
        "protocol": template().pk,
        "started_at": "2026-10-26T09:00:00Z",
        "phase": 2,
        "phase_entered_at": "2026-11-05T00:00:00Z",
    }
    response = api(world.coach).post("/api/v1/plans/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["current_phase"]["order"] == 2
    kinds = [c["kind"] for c in data["phase_changes"]]
    assert kinds == ["start", "brought_in"]
    assert data["phase_changes"][1]["changed_by_name"] == "Cora Riverside"
    assert data["phase_changes"][1]["changed_by"] == world.coach.pk


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"started_at": "2026-11-20T09:00:00Z"}, "started_at"),
        ({"phase": 2, "phase_entered_at": "2026-11-16T09:00:00Z"}, "phase_entered_at"),
        ({"phase": 12}, "phase"),
        ({"phase": "two"}, "phase"),
    ],
)
def test_the_api_refuses_bad_mid_rehab_starts_at_the_field(world, injury, extra, field):
    body = {"injury": injury.pk, "protocol": template().pk, **extra}
    response = api(world.coach).post("/api/v1/plans/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Plan.objects.exists()


def test_only_the_athletes_coach_starts_a_plan_in_the_api(world, injury):
    body = {"injury": injury.pk, "protocol": template().pk, "phase": 2}
    assert api(world.clinician).post("/api/v1/plans/", body, format="json").status_code == 403
    assert api(world.athlete.user).post("/api/v1/plans/", body, format="json").status_code == 403
    outsider = api(world.outsider_coach).post("/api/v1/plans/", body, format="json")
    assert outsider.status_code == 400 and "injury" in outsider.json()
    assert not Plan.objects.exists()


def test_the_athlete_page_form_starts_a_plan_mid_rehab(client, world, injury):
    client.force_login(world.coach)
    response = client.post(
        f"/coach/athletes/{world.athlete.pk}/assign/",
        {
            "injury": injury.pk,
            "protocol": template().pk,
            "started_at": "2026-10-26",
            "phase": "2",
            "phase_entered_at": "2026-11-05",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(athlete=world.athlete)
    assert plan.current_phase.order == 2 and plan.day_in_phase() == 11
    page = client.get(f"/coach/athletes/{world.athlete.pk}/").content.decode()
    assert "Day 11 in this phase" in page
    assert "Brought in at phase 2 on 5 Nov 2026 by Cora Riverside" in page


def test_the_page_form_refuses_a_future_phase_entry_at_its_field(client, world, injury):
    client.force_login(world.coach)
    response = client.post(
        f"/coach/athletes/{world.athlete.pk}/assign/",
        {
            "injury": injury.pk,
            "protocol": template().pk,
            "phase": "2",
            "phase_entered_at": "2026-11-30",
        },
    )
    assert response.status_code == 400
    assert "The phase cannot be entered in the future." in response.content.decode()
    assert not Plan.objects.exists()


def test_a_completed_plan_closes_its_injury_and_a_new_injury_starts_a_new_plan(world, injury):
    plan = services.assign_protocol(injury, template(), by=world.coach, phase=6)
    with pytest.raises(PermissionDenied):
        services.complete_plan(plan, by=world.clinician)  # not the coach
    services.complete_plan(plan, by=world.coach)
    plan.refresh_from_db()
    injury.refresh_from_db()
    assert plan.status == Plan.Status.COMPLETED and injury.closed_on == TODAY
    again = InjuryFactory(athlete=world.athlete, occurred_on=TODAY)
    new = services.assign_protocol(again, template(), by=world.coach)
    assert new.status == Plan.Status.ACTIVE
    with pytest.raises(ValidationError):  # a closed injury cannot start a plan
        services.assign_protocol(injury, template(), by=world.coach)


def test_a_plan_completes_only_from_its_last_phase(world, injury):
    plan = services.assign_protocol(injury, template(), by=world.coach, phase=4)
    with pytest.raises(ValidationError):
        services.complete_plan(plan, by=world.coach)
    assert Plan.objects.get().status == Plan.Status.ACTIVE


def test_closing_an_injury_closes_its_active_plan(world, injury):
    plan = services.assign_protocol(injury, template(), by=world.coach, phase=1)
    with pytest.raises(ValidationError) as future:
        services.close_injury(injury, by=world.coach, closed_on=TODAY + dt.timedelta(days=1))
    assert "closed_on" in future.value.message_dict
    services.close_injury(injury, by=world.clinician, closed_on=TODAY)
    plan.refresh_from_db()
    injury.refresh_from_db()
    assert plan.status == Plan.Status.CLOSED and injury.closed_on == TODAY


def test_the_gates_count_from_the_phase_entry_date_of_a_mid_rehab_start(world, injury):
    plan = services.assign_protocol(
        injury,
        template(),
        by=world.coach,
        started_at=TODAY - dt.timedelta(days=20),
        phase=2,
        phase_entered_at=TODAY - dt.timedelta(days=10),
    )
    report = evaluate_plan(plan)
    days = [g for g in report["gates"] if g["kind"] == "min_days"]
    assert days, report["gates"]
    assert "Day 11 in this phase" in days[0]["detail"]


def test_a_mid_rehab_start_is_not_flagged_for_the_silence_before_it_was_recorded(world, injury):
    services.assign_protocol(
        injury, template(), by=world.coach, started_at=TODAY - dt.timedelta(days=20), phase=2
    )
    assert not Flag.objects.filter(athlete=world.athlete, kind="missed_checkins").exists()
    scan_all()
    assert not Flag.objects.filter(athlete=world.athlete, kind="missed_checkins").exists()
    # Silence after it was recorded counts as always.
    with time_machine.travel(NOW + dt.timedelta(days=5), tick=False):
        scan_all()
    assert Flag.objects.filter(athlete=world.athlete, kind="missed_checkins").exists()
