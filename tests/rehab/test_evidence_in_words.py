"""What coaches and clinicians read: measurement values at the metric's precision, pass/fail in
words, dates in the locale's format, and every gate's source facts as sentences — on the
athlete page, the decision page and the printed return-to-play report."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from athletes.models import Baseline
from rehab.evidence_text import describe_report, fact_lines
from rehab.signoff import request_signoff
from tests.factories import CheckInFactory, MeasurementFactory, SessionFactory, metric
from tests.rehab.helpers import clinic

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(days_ago, hour=9):
    return timezone.make_aware(
        dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour))
    )


def visible(response) -> str:
    """The words on the page: no scripts (chart data), no tags, single spaces."""
    html = response.content.decode()
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def c():
    """An athlete in phase 5 of the hamstring protocol (injured left), every gate met by logs
    with more digits than anyone should read, and a return-to-play request."""
    c = clinic(5, gates_met=False)
    athlete = c.athlete
    for n in range(7, 0, -1):
        CheckInFactory(athlete=athlete, taken_at=at(n, 7), pain_morning=1, confidence=8)
    for n in (6, 4, 2):
        SessionFactory(athlete=athlete, date=TODAY - dt.timedelta(days=n), pain_during=1)
    strength = metric("knee_flexor_strength")
    MeasurementFactory(
        athlete=athlete, metric=strength, side="left", value=354.887, measured_at=at(3)
    )
    MeasurementFactory(
        athlete=athlete, metric=strength, side="right", value=383.2, measured_at=at(3)
    )
    MeasurementFactory(athlete=athlete, metric=metric("split_30m"), value=4.0987, measured_at=at(3))
    MeasurementFactory(
        athlete=athlete, metric=metric("peak_velocity"), value=9.87654, measured_at=at(3)
    )
    MeasurementFactory(
        athlete=athlete, metric=metric("h_test"), side="left", value=1, measured_at=at(3)
    )
    for code, value in (("split_30m", 4.0), ("peak_velocity", 10.0)):
        Baseline.objects.create(
            athlete=athlete, metric=metric(code), value=value, measured_on=dt.date(2026, 3, 1)
        )
    c.request = request_signoff(c.plan, by=c.coach)
    return c


def test_the_athlete_page_shows_values_at_the_metrics_precision_and_pass_in_words(client, c):
    client.force_login(c.coach)
    page = visible(client.get(reverse("coach:athlete", args=[c.athlete.pk])))
    # Measurements table: knee-flexor strength has 0 decimals, 30 m splits 2, the H-test is
    # pass/fail.
    assert "355 N" in page and "383 N" in page
    assert "4.10 s" in page and "9.88 m/s" in page
    assert re.search(r"Askling H-test\s+Left\s+pass", page)
    assert "354.887" not in page and "4.0987" not in page and "9.87654" not in page
    # Gate details, under the metric charts' headings too.
    assert "LSI 92.6 % (injured left 355 N vs right 383 N; at least 90 %)" in page
    assert "4.10 s = 102.5 % of the pre-injury baseline 4.00 s (at most 103 %)" in page
    assert "Passed on 19 Nov 2026" in page
    assert not re.search(r"\bNone\b", page) and "{'" not in page


def test_the_report_shows_values_at_the_metrics_precision(client, c):
    client.force_login(c.clinician)
    page = visible(client.get(reverse("clinic:report", args=[c.request.pk])))
    # The snapshot's metrics against baseline, and the gate details.
    assert "4.00 s" in page and "4.10 s" in page and "9.88 m/s" in page
    assert "102.5 %" in page
    assert "Askling H-test, left: pass on 19 Nov 2026" in page
    assert "354.887" not in page and "4.0987" not in page and "9.87654" not in page
    assert not re.search(r"\d\.\d+e[+-]\d", page)


def test_the_printed_report_contains_every_gates_facts(client, c):
    client.force_login(c.clinician)
    response = client.get(reverse("clinic:report", args=[c.request.pk]))
    page = visible(response)
    gates = response.context["report"]["gates"]
    assert len(gates) == 8 and all(g["status"] == "met" for g in gates)
    for g in gates:
        # Each gate: status, description, detail sentence and its source facts, in the open
        # (no <details> to unfold on paper).
        assert g["description"] in page and g["detail"] in page
        assert g["lines"], g["kind"]
        for line in g["lines"]:
            assert line in page
    assert "<details" not in response.content.decode().split('id="gates"')[1].split("</section>")[0]
    expected = [
        # pain: which sessions, with date and pain values
        "Session on 20 Nov 2026: pain during 1/10, after not recorded; check-in that day; "
        "worst 1/10",
        # next-day soreness
        "Session on 20 Nov 2026: morning pain 1/10 that day, 1/10 the next morning",
        # minimum days
        "In this phase since 12 Nov 2026 (day 11)",
        # LSI with both sides
        "Knee-flexor strength, left (injured): 355 N on 19 Nov 2026",
        "Knee-flexor strength, right: 383 N on 19 Nov 2026",
        # versus baseline: the measurement and the baseline
        "30 m split: 4.10 s on 19 Nov 2026",
        "Pre-injury baseline: 4.00 s (1 Mar 2026)",
        # test passed
        "Askling H-test, left: pass on 19 Nov 2026",
        # confidence
        "Check-in on 21 Nov 2026: confidence 8/10",
    ]
    for line in expected:
        assert line in page, line
    assert "{'" not in page and not re.search(r"\bNone\b", page) and "2026-11-" not in page


def test_the_decision_page_shows_the_facts_as_sentences_not_a_dict(client, c):
    client.force_login(c.clinician)
    page = visible(client.get(reverse("clinic:decision", args=[c.request.pk])))
    assert "Knee-flexor strength, right: 383 N on 19 Nov 2026" in page
    assert "{'" not in page and not re.search(r"\bNone\b", page)


def test_older_snapshots_without_metric_info_read_the_registry(c):
    report = c.request.evidence["gates"]
    for g in report["gates"]:
        g.pop("metric_info")
    lines = {g["kind"]: g["lines"] for g in describe_report(report)["gates"]}
    assert "Knee-flexor strength, right: 383 N on 19 Nov 2026" in lines["lsi"]


def test_a_gate_without_facts_has_no_lines():
    assert fact_lines({"kind": "pain", "facts": {}}) == []
    assert fact_lines({"kind": "min_days", "facts": {"phase_entered": "2026-11-12"}}) == [
        "In this phase since 12 Nov 2026"
    ]
