"""In a desktop browser: mapping an unknown device layout once (and a split export, seen on the
athlete's velocity ladder); confirming a CSV import twice (back button, Import again) stores
the rows once and says the file was already imported."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from athletes.models import Baseline, Role
from monitoring.models import ImportProfile, Measurement, MetricKind, SprintTrial
from monitoring.sprint_profile import model_times
from tests.factories import AthleteFactory, TeamFactory, staff, start_plan

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_confirming_an_import_twice_stores_the_rows_once(live_server, browser, shipped_templates):
    team = TeamFactory()
    staff(team, Role.COACH, username="headcoach")
    maya = AthleteFactory(team=team, first_name="Maya", last_name="Okafor")
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    text = (
        "athlete_id,metric,value,side,measured_at\n"
        f"{maya.pk},split_30m,4.21,,{day} 09:00\n"
        f"{maya.pk},knee_flexor_strength,355,left,{day} 09:30\n"
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "headcoach")
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_url("**/coach/")
    page.goto(f"{live_server.url}/coach/measurements/import/")
    page.set_input_files(
        "#id_file", files=[{"name": "gates.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.click("text=Check the file")
    page.click("text=Import 2 measurements")
    expect(page.get_by_text("Imported 2 measurements")).to_be_visible()
    assert Measurement.objects.count() == 2

    page.go_back()  # the preview again, with its Import button
    page.click("text=Import 2 measurements")
    expect(page.get_by_text("This file was already imported")).to_be_visible()
    assert Measurement.objects.count() == 2
    context.close()


def test_an_unknown_layout_is_mapped_once_and_the_next_file_needs_no_mapping(
    live_server, browser, shipped_templates
):
    """Issue 18 item 6: upload a device export of an unknown layout, map its columns, save the
    map as the team's profile, import; a second file of that layout imports with no mapping."""
    team = TeamFactory()
    staff(team, Role.COACH, username="headcoach")
    maya = AthleteFactory(team=team, first_name="Maya", last_name="Okafor")
    AthleteFactory(team=team, first_name="Theo", last_name="Banks")
    start_plan(maya, phase_order=2, entered_days_ago=5)  # phase 2 allows 80 %
    Baseline.objects.create(
        athlete=maya,
        metric=MetricKind.objects.get(code="sprint_mss"),
        value=10.0,
        measured_on=timezone.localdate() - dt.timedelta(days=90),
    )
    day = timezone.localdate() - dt.timedelta(days=1)

    def export(*rows):
        lines = ["Runner;Datum;Zeit 30m (ms)"]
        lines += [f"{who};{day:%d.%m.%Y} 09:{n:02d};{ms}" for n, (who, ms) in enumerate(rows)]
        return ("\n".join(lines) + "\n").encode()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "headcoach")
    page.fill("#id_password", "sprintback")
    page.click("button[type=submit]")
    page.wait_for_url("**/coach/")
    page.goto(f"{live_server.url}/coach/measurements/import/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "gates-1.csv", "mimeType": "text/csv",
                "buffer": export(("Maya Okafor", 4210), ("Theo Banks", 4480))}],
    )  # fmt: skip
    page.click("text=Check the file")
    expect(page.get_by_role("heading", name="Map the file's columns")).to_be_visible()
    page.select_option("#id_athlete_column", "Runner")
    page.select_option("#id_athlete_by", "name")
    page.select_option("#id_time_column", "Datum")
    page.select_option("#id_time_format", "dmy")
    page.select_option("#id_metric_code", "split_30m")
    page.select_option("#id_value_column", "Zeit 30m (ms)")
    page.select_option("#id_unit", "ms")
    page.fill("#id_name", "Brower gates")
    page.click("text=Check the file with this map")
    expect(page.get_by_text("Read with the import profile “Brower gates”")).to_be_visible()
    page.click("text=Import 2 measurements")
    expect(page.get_by_text("Imported 2 measurements")).to_be_visible()
    assert ImportProfile.objects.get().name == "Brower gates"
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [4.21, 4.48]

    page.goto(f"{live_server.url}/coach/measurements/import/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "gates-2.csv", "mimeType": "text/csv",
                "buffer": export(("Maya Okafor", 4150))}],
    )  # fmt: skip
    page.click("text=Check the file")
    expect(page.get_by_text("Read with the import profile “Brower gates”")).to_be_visible()
    expect(page.locator("#column-map")).to_have_count(0)  # no mapping step
    page.click("text=Import 1 measurement")
    expect(page.get_by_text("Imported 1 measurement")).to_be_visible()
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [4.15, 4.21, 4.48]

    # The gates' split export, mapped once too: each row a sprint trial, and Maya's page draws
    # it on her velocity ladder against her phase's ceiling.
    splits = "\n".join(
        ["Runner;Datum;10 m;20 m;30 m;40 m"]
        + [
            f"Maya Okafor;{day:%d.%m.%Y} 10:0{n};" + ";".join(f"{t:.3f}" for t in times)
            for n, times in enumerate([model_times([10, 20, 30, 40], 7.8, 1.2)] * 2)
        ]
    )
    page.goto(f"{live_server.url}/coach/measurements/import/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "splits.csv", "mimeType": "text/csv", "buffer": splits.encode()}],
    )
    page.click("text=Check the file")
    page.select_option("#id_athlete_column", "Runner")
    page.select_option("#id_athlete_by", "name")
    page.select_option("#id_time_column", "Datum")
    page.select_option("#id_time_format", "dmy")
    for index, metres in ((2, "10"), (3, "20"), (4, "30"), (5, "40")):
        page.fill(f"#id_split_{index}", metres)
    page.select_option("#id_start", "crouch")
    page.fill("#id_name", "Brower splits")
    page.click("text=Check the file with this map")
    page.click("text=Import 2 sprint trials")
    expect(page.get_by_text("Imported 2 sprint trials")).to_be_visible()
    assert SprintTrial.objects.filter(athlete=maya).count() == 2

    page.goto(f"{live_server.url}/coach/athletes/{maya.pk}/")
    ladder = page.locator("#velocity-ladder")
    expect(ladder.get_by_text("Pre-injury top speed 10.00 m/s (baseline).")).to_be_visible()
    expect(ladder.get_by_text("2 sprint trials in this plan")).to_be_visible()
    expect(ladder.locator("[data-chart=ladder] canvas")).to_have_count(1)
    expect(page.locator("#sprints").get_by_text("78.0 %").first).to_be_visible()
    ladder.screenshot(path=str(SCREENSHOTS / "velocity-ladder.png"))
    context.close()
