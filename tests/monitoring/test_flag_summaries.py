"""A flag in one line for staff (monitoring.selectors.flag_summary): the words the roster, the
notifications page and the e-mails share, built from the evidence the rules really write."""

import datetime as dt

import pytest

from monitoring import rules
from monitoring.models import Flag, FlagKind
from monitoring.selectors import flag_summary, open_for

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def flag_from(finding, *, opened_at=T0, **fields) -> Flag:
    """A flag as monitoring.flags writes it from a rule's finding (not saved: no query)."""
    return Flag(
        kind=finding.kind,
        summary=finding.summary,
        evidence=finding.evidence,
        opened_at=opened_at,
        **fields,
    )


def reports(*worst_by_hour):
    return [
        rules.PainReport(T0 + dt.timedelta(hours=h), rest=0, activity=pain, morning=0)
        for h, pain in worst_by_hour
    ]


def test_persisting_pain_reads_threshold_and_hours():
    finding = rules.pain_persisting(
        reports((0, 4), (24, 3), (50, 5)), now=T0 + dt.timedelta(hours=76)
    )
    assert flag_summary(flag_from(finding), now=T0 + dt.timedelta(hours=76)) == (
        "pain ≥ 3/10 for 76 h"
    )


def test_the_hours_run_on_while_the_pain_goes_on_and_stop_when_it_clears():
    now = T0 + dt.timedelta(hours=49)
    finding = rules.pain_persisting(reports((0, 4), (24, 3)), now=now)
    flag = flag_from(finding, opened_at=now)
    later = now + dt.timedelta(hours=27)
    assert flag_summary(flag, now=later) == "pain ≥ 3/10 for 76 h"
    flag.condition_cleared_at = now + dt.timedelta(hours=2)
    assert flag_summary(flag, now=later) == "pain ≥ 3/10 for 49 h"


def test_rising_pain_shows_the_three_reports():
    now = T0 + dt.timedelta(hours=48)
    finding = rules.pain_persisting(reports((0, 0), (24, 2), (48, 3)), now=now)
    assert flag_summary(flag_from(finding), now=now) == "pain rising: 0 → 2 → 3/10"


def test_a_protocol_threshold_is_the_one_shown():
    now = T0 + dt.timedelta(hours=60)
    finding = rules.pain_persisting(reports((0, 5), (30, 6)), now=now, threshold=5)
    assert flag_summary(flag_from(finding), now=now) == "pain ≥ 5/10 for 60 h"


SPLIT = rules.MetricInfo("split_30m", "30 m split", "s", "lower", 3.0)
JUMP = rules.MetricInfo("cmj", "Countermovement jump", "cm", "higher", 5.0, decimals=1)


@pytest.mark.parametrize(
    "metric, best, value, side, expected",
    [
        (SPLIT, 4.00, 4.32, "", "30 m split 8 % slower than the 28-day best"),
        (SPLIT, 4.00, 4.15, "", "30 m split 3.8 % slower than the 28-day best"),
        (JUMP, 40.0, 30.0, "", "Countermovement jump 25 % lower than the 28-day best"),
        (JUMP, 40.0, 37.0, "left", "Countermovement jump (left) 7.5 % lower than the 28-day best"),
    ],
)
def test_a_regression_says_how_much_worse_than_the_best_in_the_metrics_terms(
    metric, best, value, side, expected
):
    level = rules.RecentLevel.from_values(
        [best, best + (0.1 if metric is SPLIT else -1)], metric.direction
    )
    finding = rules.metric_regression(
        metric=metric, value=value, measured_at=T0, level=level, side=side
    )
    assert flag_summary(flag_from(finding), now=T0) == expected


def test_missed_checkins_count_the_silent_days_on_to_now():
    last = T0 - dt.timedelta(days=3, hours=1)
    finding = rules.missed_checkins(
        last_checkin_at=last, plan_started_at=last - dt.timedelta(days=9), now=T0
    )
    flag = flag_from(finding)
    assert flag_summary(flag, now=T0) == "no check-in for 3 days"
    assert flag_summary(flag, now=T0 + dt.timedelta(days=1)) == "no check-in for 4 days"


def test_missed_checkins_since_the_plan_started():
    started = T0 - dt.timedelta(days=4)
    finding = rules.missed_checkins(last_checkin_at=None, plan_started_at=started, now=T0)
    assert flag_summary(flag_from(finding), now=T0) == (
        "no check-in since the plan started 4 days ago"
    )


@pytest.mark.parametrize(
    "kind, evidence",
    [
        (FlagKind.PAIN_PERSISTING, {}),
        (FlagKind.PAIN_PERSISTING, {"rule": "rising", "reports": [{}, {"rest": None}, {}]}),
        (FlagKind.PAIN_PERSISTING, {"threshold": None, "hours": None, "first_painful_at": 7}),
        (FlagKind.PAIN_PERSISTING, {"first_painful_at": "2026-13-45T99:00:00"}),
        (FlagKind.MISSED_CHECKINS, {"days_without_checkin": None}),
        (FlagKind.MISSED_CHECKINS, {"last_checkin_at": "garbage"}),
        (FlagKind.METRIC_REGRESSION, {"metric_name": None, "drop_pct": "many"}),
        (FlagKind.METRIC_REGRESSION, []),
    ],
)
def test_a_summary_never_says_none_even_with_evidence_missing(kind, evidence):
    text = flag_summary(Flag(kind=kind, evidence=evidence, opened_at=T0), now=T0)
    assert text and "None" not in text


@pytest.mark.parametrize(
    "age, expected",
    [
        (dt.timedelta(minutes=5), "open under an hour"),
        (dt.timedelta(hours=5, minutes=59), "open 5 h"),
        (dt.timedelta(hours=47), "open 47 h"),
        (dt.timedelta(days=2, hours=3), "open 2 days"),
        (dt.timedelta(days=-1), "open under an hour"),  # a clock a little behind
    ],
)
def test_how_long_a_flag_has_been_open(age, expected):
    assert open_for(Flag(opened_at=T0), now=T0 + age) == expected
