"""The database itself refuses bad data (PRODUCT.md §4): these bypass forms and services."""

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from athletes.models import Injury, Membership
from monitoring.models import CheckIn, Flag, FlagStatus, Measurement
from rehab.models import GateCriterion, Phase, PhaseChange, SignOffDecision, SignOffRequest
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    FlagFactory,
    InjuryFactory,
    MembershipFactory,
    SessionFactory,
    UserFactory,
    metric,
    start_plan,
    template,
)

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()
        connection.check_constraints()  # deferred foreign keys are checked here


@pytest.mark.parametrize("field", ["pain_rest", "pain_activity", "pain_morning"])
@pytest.mark.parametrize("value", [11, -1])
def test_pain_outside_0_to_10_is_refused(field, value):
    athlete = AthleteFactory()
    refused(lambda: CheckInFactory(athlete=athlete, **{field: value}))
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("field", ["soreness_injured", "confidence", "readiness", "sleep_quality"])
def test_wellness_scores_outside_0_to_10_are_refused(field):
    refused(lambda: CheckInFactory(**{field: 11}))


def test_sleep_hours_over_24_are_refused():
    refused(lambda: CheckInFactory(sleep_hours=25))


def test_pain_at_the_edges_is_accepted():
    CheckInFactory(pain_rest=0, pain_activity=10, pain_morning=10)
    assert CheckIn.objects.count() == 1


def test_two_checkins_on_one_day_are_refused():
    athlete = AthleteFactory()
    now = timezone.now()
    CheckInFactory(athlete=athlete, taken_at=now)
    refused(lambda: CheckInFactory(athlete=athlete, taken_at=now + dt.timedelta(seconds=1)))


def test_a_reused_client_key_is_refused_for_the_same_athlete():
    athlete = AthleteFactory()
    key = uuid.uuid4()
    CheckInFactory(athlete=athlete, client_key=key)
    refused(
        lambda: CheckInFactory(
            athlete=athlete, client_key=key, taken_at=timezone.now() - dt.timedelta(days=1)
        )
    )


def test_two_open_flags_of_one_kind_for_one_athlete_are_refused():
    athlete = AthleteFactory()
    FlagFactory(athlete=athlete, kind="pain_persisting")
    refused(lambda: FlagFactory(athlete=athlete, kind="pain_persisting"))


def test_an_acknowledged_flag_still_blocks_a_second_unresolved_one():
    athlete = AthleteFactory()
    FlagFactory(athlete=athlete, status=FlagStatus.ACKNOWLEDGED, acknowledged_at=timezone.now())
    refused(lambda: FlagFactory(athlete=athlete))


def test_a_resolved_flag_allows_a_new_one_and_other_kinds_coexist():
    athlete = AthleteFactory()
    FlagFactory(athlete=athlete, status=FlagStatus.RESOLVED, resolved_at=timezone.now())
    FlagFactory(athlete=athlete, kind="pain_persisting")
    FlagFactory(athlete=athlete, kind="missed_checkins")
    assert Flag.objects.filter(athlete=athlete).count() == 3


def test_a_resolved_flag_without_a_resolution_time_is_refused():
    refused(lambda: FlagFactory(status=FlagStatus.RESOLVED))


def test_an_unknown_flag_kind_is_refused():
    refused(lambda: FlagFactory(kind="vibes"))


def test_a_measurement_of_an_unknown_metric_is_refused():
    athlete = AthleteFactory()
    refused(
        lambda: Measurement.objects.create(
            athlete=athlete, metric_id=987654, value=4.1, measured_at=timezone.now()
        )
    )
    assert Measurement.objects.count() == 0


def test_a_measurement_with_an_unknown_side_is_refused():
    refused(
        lambda: Measurement.objects.create(
            athlete=AthleteFactory(),
            metric=metric("single_leg_hop"),
            value=180,
            side="up",
            measured_at=timezone.now(),
        )
    )


def test_session_rpe_over_10_is_refused_and_load_is_rpe_times_minutes():
    refused(lambda: SessionFactory(rpe=11))
    session = SessionFactory(rpe=6, duration_min=50)
    session.refresh_from_db()
    assert session.load == 300


def test_injury_grade_above_4_and_a_muscle_outside_its_group_are_refused():
    refused(lambda: InjuryFactory(grade=5))
    refused(lambda: InjuryFactory(muscle_group="calf", muscle=Injury.Muscle.BICEPS_FEMORIS_LH))
    InjuryFactory(muscle_group="calf", muscle=Injury.Muscle.SOLEUS)


def test_each_role_once_per_person_per_team():
    membership = MembershipFactory()
    # A coach may also be the team's admin (one row per role)...
    Membership.objects.create(user=membership.user, team=membership.team, role="admin")
    # ...but holds each role once.
    refused(
        lambda: Membership.objects.create(user=membership.user, team=membership.team, role="coach")
    )
    refused(lambda: MembershipFactory(role="owner"))


def test_a_lsi_gate_without_a_metric_is_refused():
    phase = Phase.objects.filter(protocol=template()).first()
    refused(lambda: GateCriterion.objects.create(phase=phase, kind="lsi", threshold=90))
    refused(lambda: GateCriterion.objects.create(phase=phase, kind="pain", window=3))


def test_only_one_active_plan_per_athlete():
    athlete = AthleteFactory()
    start_plan(athlete)
    refused(lambda: start_plan(athlete))


def test_a_regression_without_a_reason_is_refused():
    plan = start_plan(AthleteFactory(), phase_order=2)
    phases = {p.order: p for p in plan.protocol.phases.all()}
    refused(
        lambda: PhaseChange.objects.create(
            plan=plan,
            from_phase=phases[2],
            to_phase=phases[1],
            kind="regress",
            reason="",
            changed_at=timezone.now(),
        )
    )


def test_a_decision_without_rationale_and_a_second_pending_request_are_refused():
    plan = start_plan(AthleteFactory(), phase_order=5)
    target = plan.protocol.phases.get(order=6)
    request = SignOffRequest.objects.create(
        plan=plan, kind="return_to_play", target_phase=target, requested_at=timezone.now()
    )
    refused(
        lambda: SignOffRequest.objects.create(
            plan=plan, kind="return_to_play", target_phase=target, requested_at=timezone.now()
        )
    )
    refused(
        lambda: SignOffDecision.objects.create(
            request=request,
            decision="approve",
            rationale="",
            decided_by=UserFactory(),
            decided_role="clinician",
            decided_at=timezone.now(),
        )
    )
