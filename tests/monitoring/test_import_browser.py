"""In a desktop browser: confirming a CSV import twice (back button, Import again) stores the
rows once and says the file was already imported."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from athletes.models import Role
from monitoring.models import Measurement
from tests.factories import AthleteFactory, TeamFactory, staff

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
