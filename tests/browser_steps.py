"""Steps a coach takes in the browser that several journeys share (Playwright pages)."""

import datetime as dt

from tests.factories import template


def add_athlete(page, *, first="Lena", last="Ford", born="2001-04-02", events="200 m"):
    """From any coach page: the Add athlete form, filled in (the caller saves it)."""
    page.click("text=Add athlete")
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.fill("#id_date_of_birth", born)
    page.select_option("#id_sex", "F")
    page.fill("#id_events", events)
    page.select_option("#id_dominant_leg", "right")


def fill_injury(page, today: dt.date):
    """From the athlete's page: the injury form, filled in (a left biceps femoris, grade 2b; the caller
    saves it)."""
    page.click("#record-links >> text=Record an injury")
    page.select_option("#id_muscle_group", "hamstring")
    page.select_option("#id_muscle", "bf_lh")
    page.select_option("#id_side", "left")
    page.fill("#id_grade", "2")
    page.select_option("#id_bamic_class", "b")
    page.fill("#id_occurred_on", (today - dt.timedelta(days=25)).isoformat())
    page.select_option("#id_mechanism", "high_speed_running")


def start_mid_rehab(page, today: dt.date):
    """On the athlete's page: the shipped hamstring protocol, started 20 days ago, in phase 2
    since 10 days ago."""
    page.select_option("#id_protocol", label=template().name)
    page.click("text=Already in rehab? Start mid-way")
    page.fill("#id_started_at", (today - dt.timedelta(days=20)).isoformat())
    page.fill("#id_phase", "2")
    page.fill("#id_phase_entered_at", (today - dt.timedelta(days=10)).isoformat())
    page.click("#assign-form button.primary")
