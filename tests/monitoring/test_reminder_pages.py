"""The athlete's reminder page (/me/reminders/) and the coach's suggestion on the athlete
page: field errors with nothing stored, the suggestion shown and taken, outsiders refused."""

import datetime as dt

import pytest
from django.urls import reverse

from monitoring import reminders
from monitoring.models import CheckinReminder, NotificationPreference

pytestmark = pytest.mark.django_db

PAGE = reverse("me:reminders")


def suggest_url(athlete):
    return reverse("reminders:suggest", args=[athlete.pk])


@pytest.fixture
def athlete_client(client, world):
    client.force_login(world.athlete.user)
    return client


def test_the_athlete_chooses_a_time_and_time_zone(athlete_client, world):
    page = athlete_client.get(PAGE)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="time"' in content and 'name="time_zone"' in content
    assert "data-browser-zone" in content  # no zone chosen yet: the browser's is proposed
    assert "js/me-reminders.js" in content
    assert "Turn on notifications" in content

    saved = athlete_client.post(PAGE, {"time": "07:30", "time_zone": "Europe/Madrid"})
    assert saved.status_code == 302
    row = CheckinReminder.objects.get(athlete=world.athlete)
    assert row.time == dt.time(7, 30)
    assert row.next_reminder_at is not None
    assert NotificationPreference.objects.get(user=world.athlete.user).time_zone == "Europe/Madrid"
    again = athlete_client.get(PAGE).content.decode()
    assert "Reminder set for 07:30." in again
    assert "data-browser-zone" not in again
    assert "Daily reminder at 07:30" in athlete_client.get(reverse("me:today")).content.decode()


def test_an_empty_time_turns_reminders_off(athlete_client, world):
    reminders.set_reminder_time(world.athlete, dt.time(7, 30))
    athlete_client.post(PAGE, {"time": "", "time_zone": "Europe/London"})
    row = CheckinReminder.objects.get(athlete=world.athlete)
    assert row.time is None and row.next_reminder_at is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"time": "25:61", "time_zone": "Europe/Madrid"}, "time"),
        ({"time": "soon", "time_zone": "Europe/Madrid"}, "time"),
        ({"time": "07:30", "time_zone": "Atlantis/Capital"}, "time_zone"),
        ({"time": "07:30"}, "time_zone"),
    ],
)
def test_bad_input_is_a_field_error_and_stores_nothing(athlete_client, world, data, field):
    page = athlete_client.post(PAGE, data)
    assert page.status_code == 400
    assert page.context["form"].errors[field]
    assert not CheckinReminder.objects.exists()
    assert not NotificationPreference.objects.exists()


def test_the_coach_suggests_and_the_athlete_takes_it(client, world):
    client.force_login(world.coach)
    athlete_page = client.get(reverse("coach:athlete", args=[world.athlete.pk])).content.decode()
    assert 'id="reminder"' in athlete_page
    answer = client.post(suggest_url(world.athlete), {"time": "07:30"})
    assert answer.status_code == 302
    row = CheckinReminder.objects.get(athlete=world.athlete)
    assert (row.suggested_time, row.suggested_by, row.time) == (dt.time(7, 30), world.coach, None)

    client.force_login(world.athlete.user)
    assert "Your coach suggests 07:30." in client.get(PAGE).content.decode()
    assert client.post(PAGE, {"action": "accept"}).status_code == 302
    row.refresh_from_db()
    assert row.time == dt.time(7, 30)
    assert row.next_reminder_at is not None


def test_a_bad_suggestion_is_a_field_error_on_the_athlete_page(client, world):
    client.force_login(world.coach)
    page = client.post(suggest_url(world.athlete), {"time": "later"})
    assert page.status_code == 400
    assert 'id="err-suggest-time"' in page.content.decode()
    assert not CheckinReminder.objects.exists()


def test_an_outsider_coach_or_a_clinician_gets_404(client, world):
    for person in (world.outsider_coach, world.clinician, world.teammate.user):
        client.force_login(person)
        assert client.post(suggest_url(world.athlete), {"time": "07:30"}).status_code == 404
    assert not CheckinReminder.objects.exists()


def test_staff_have_no_reminder_page(client, world):
    client.force_login(world.coach)
    assert client.get(PAGE).status_code == 404
