import datetime as dt

import pytest
from django.utils import timezone

from monitoring.models import Flag
from monitoring.rules import MetricInfo, RecentLevel, metric_regression
from rehab import scan
from tests.factories import AthleteFactory, MeasurementFactory, metric, start_plan

SPRINT = MetricInfo("split_30m", "30 m split", "s", "lower", 3.0)
VELOCITY = MetricInfo("peak_velocity", "Peak velocity", "m/s", "higher", 2.0)
NOW = dt.datetime(2026, 5, 1, 17, 0, tzinfo=dt.UTC)


def level(values, direction="lower"):
    return RecentLevel.from_values(values, direction)


def check(value, values, metric_info=SPRINT):
    return metric_regression(
        metric=metric_info,
        value=value,
        measured_at=NOW,
        level=level(values, metric_info.direction),
        baseline=None,
    )


def test_sprint_time_3_1_percent_slower_than_the_best_with_few_points_is_flagged():
    finding = check(4.0 * 1.031, [4.0, 4.05, 4.1])
    assert finding is not None
    assert finding.evidence["best_28d"] == 4.0
    assert finding.evidence["drop_pct"] == pytest.approx(3.1, abs=0.01)
    assert finding.evidence["swc_basis"] == "3 % of the best"


def test_sprint_time_2_percent_slower_is_not_flagged():
    assert check(4.0 * 1.02, [4.0, 4.05, 4.1]) is None


def test_faster_is_never_a_regression():
    assert check(3.5, [4.0, 4.05]) is None


def test_higher_is_better_metrics_regress_downwards():
    assert check(9.0, [10.0, 9.9], VELOCITY) is not None  # 10 % slower top speed
    assert check(11.0, [10.0, 9.9], VELOCITY) is None
    assert check(9.85, [10.0, 9.9], VELOCITY) is None  # 1.5 % < 2 %


def test_with_five_points_the_swc_is_a_fifth_of_the_sd():
    values = [4.00, 4.02, 4.04, 4.06, 4.08]
    sd = level(values).sd
    assert check(4.0 + 0.2 * sd * 1.5, values) is not None
    assert check(4.0 + 0.2 * sd * 0.5, values) is None
    assert check(4.0 + 0.2 * sd * 1.5, values).evidence["swc_basis"] == "0.2 × SD of 5 points"


def test_no_recent_points_means_no_judgement():
    assert metric_regression(metric=SPRINT, value=5.0, measured_at=NOW, level=None) is None


@pytest.mark.django_db
def test_the_scan_compares_the_newest_measurement_with_the_28_days_before_it():
    athlete = AthleteFactory()
    start_plan(athlete, phase_order=4)
    now = timezone.now()
    split = metric("split_30m")
    MeasurementFactory(
        athlete=athlete, metric=split, value=4.50, measured_at=now - dt.timedelta(days=40)
    )
    for days, value in ((21, 4.30), (14, 4.25), (7, 4.20)):
        MeasurementFactory(
            athlete=athlete, metric=split, value=value, measured_at=now - dt.timedelta(days=days)
        )
    MeasurementFactory(
        athlete=athlete, metric=split, value=4.20 * 1.035, measured_at=now - dt.timedelta(hours=2)
    )
    scan.scan_all(now=now)
    flag = Flag.objects.get(athlete=athlete, kind="metric_regression")
    assert flag.evidence["best_28d"] == 4.20
    assert flag.evidence["points_28d"] == 3  # the 40-day-old value is outside the window
    assert flag.evidence["metric"] == "split_30m"


@pytest.mark.django_db
def test_the_scan_compares_sides_separately_and_reports_the_baseline():
    from athletes.models import Baseline

    athlete = AthleteFactory()
    start_plan(athlete, phase_order=3)
    now = timezone.now()
    strength = metric("knee_flexor_strength")
    Baseline.objects.create(
        athlete=athlete,
        metric=strength,
        side="left",
        value=420,
        measured_on=now.date() - dt.timedelta(days=90),
    )
    for days, left, right in ((14, 330, 420), (7, 350, 421)):
        at = now - dt.timedelta(days=days)
        MeasurementFactory(
            athlete=athlete, metric=strength, side="left", value=left, measured_at=at
        )
        MeasurementFactory(
            athlete=athlete, metric=strength, side="right", value=right, measured_at=at
        )
    # The right leg is a bit lower (within 5 %), the left dropped 10 %.
    MeasurementFactory(athlete=athlete, metric=strength, side="right", value=415, measured_at=now)
    MeasurementFactory(athlete=athlete, metric=strength, side="left", value=315, measured_at=now)
    scan.scan_all(now=now)
    flag = Flag.objects.get(athlete=athlete, kind="metric_regression")
    assert flag.evidence["side"] == "left"
    assert flag.evidence["baseline"] == 420
    assert flag.evidence["worse_than_baseline_by"] == 105


def test_the_summary_shows_values_at_the_metrics_precision():
    finding = check(4.174, [4.021, 4.05, 4.1])
    assert finding.summary.startswith(
        "30 m split 4.17 s: worse than the 28-day best 4.02 by 0.15 s"
    )
    assert "4.174" not in finding.summary
