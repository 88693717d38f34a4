import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from athletes.models import Athlete, Baseline, Injury, Membership, Team
from monitoring.models import CheckIn, Measurement, MetricKind, RecoveryActivity, TrainingSession
from rehab.models import GateCriterion, PhaseChange, Plan, Protocol, SignOffRequest

pytestmark = pytest.mark.django_db

COUNTED = [
    Team,
    Membership,
    Athlete,
    Injury,
    Baseline,
    Plan,
    PhaseChange,
    CheckIn,
    TrainingSession,
    Measurement,
    RecoveryActivity,
    SignOffRequest,
]


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_data_migration_creates_both_protocols_with_seven_phases():
    for group in ("hamstring", "calf"):
        protocol = Protocol.objects.get(team=None, is_template=True, muscle_group=group)
        phases = list(protocol.phases.order_by("order"))
        assert [p.order for p in phases] == list(range(7))
        assert phases[0].name == "Protect and assess"
        assert phases[6].name == "Maintenance and surveillance"
        assert [p.max_velocity_pct for p in phases][1:6] == [70, 80, 90, 95, 100]
        # Entering full sprinting and return to play need a clinician.
        assert [p.order for p in phases if p.needs_clinical_review] == [5, 6]
        # Every phase but maintenance has gates, always including pain and time in phase.
        for phase in phases[:6]:
            kinds = set(phase.gates.values_list("kind", flat=True))
            assert {"pain", "min_days"} <= kinds
        assert not phases[6].gates.exists()
    assert GateCriterion.objects.filter(kind="lsi", metric__code="calf_raises").exists()
    assert GateCriterion.objects.filter(kind="vs_baseline", metric__code="split_30m").exists()


def test_metric_registry_has_units_and_directions():
    codes = set(MetricKind.objects.values_list("code", flat=True))
    assert {
        "split_10m",
        "split_30m",
        "peak_velocity",
        "step_frequency",
        "ground_contact_time",
        "stride_asymmetry",
        "single_leg_hop",
        "hop_lsi",
        "knee_flexor_strength",
        "knee_flexor_lsi",
        "nordic_force",
        "calf_raises",
        "cmj",
        "knee_to_wall",
        "h_test",
    } <= codes
    assert MetricKind.objects.get(code="split_30m").direction == "lower"
    assert MetricKind.objects.get(code="split_30m").swc_pct == 3.0
    assert MetricKind.objects.get(code="peak_velocity").direction == "higher"


def test_seed_demo_twice_leaves_the_same_row_counts():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["Athlete"] >= 15


def test_seed_demo_tells_the_stories_the_product_needs():
    call_command("seed_demo")
    riverside = Team.objects.get(slug="riverside")
    roles = dict(
        Membership.objects.filter(
            team=riverside, user__username__in=["coach", "clinician", "athlete"]
        ).values_list("user__username", "role")
    )
    assert roles == {"coach": "coach", "clinician": "clinician", "athlete": "athlete"}
    assert Membership.objects.get(user__username="coach2").team.slug == "northside"
    assert Athlete.objects.filter(team=riverside).count() >= 12
    phases = set(
        Plan.objects.filter(athlete__team=riverside, status="active").values_list(
            "current_phase__order", flat=True
        )
    )
    assert phases == set(range(7))
    assert Athlete.objects.filter(team__slug="northside").exists()
    # Eight weeks of check-ins, relative to today.
    today = timezone.localdate()
    oldest = CheckIn.objects.order_by("local_date").first().local_date
    assert (today - oldest).days >= 55
    assert CheckIn.objects.filter(local_date__gte=today - dt.timedelta(days=1)).exists()
    # Persisting pain: every report of the current episode ≥ 3/10, the first > 48 h ago.
    aisha = Athlete.objects.get(first_name="Aisha")
    episode = []
    for checkin in aisha.checkins.order_by("-taken_at"):
        if checkin.worst_pain < 3:
            break
        episode.append(checkin)
    assert len(episode) >= 3
    assert timezone.now() - episode[-1].taken_at > dt.timedelta(hours=48)
    assert not CheckIn.objects.filter(taken_at__gt=timezone.now()).exists()
    # A regressed 30 m: latest slower than the best of the previous 28 days by > 3 %.
    liam = Athlete.objects.get(first_name="Liam")
    splits = list(liam.measurements.filter(metric__code="split_30m").order_by("-measured_at"))
    window = [
        m.value for m in splits[1:] if m.measured_at > splits[0].measured_at - dt.timedelta(days=28)
    ]
    assert splits[0].value > min(window) * 1.03
    # One waiting for return-to-play sign-off.
    assert SignOffRequest.objects.filter(status="pending", kind="return_to_play").count() == 1


def test_seed_demo_reset_reloads_without_duplicates():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo", "--reset")
    assert counts() == first
