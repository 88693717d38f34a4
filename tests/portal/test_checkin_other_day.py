"""A check-in for an earlier time never replaces another day's check-in silently: a day that
already has one is opened for editing and named (PRODUCT.md §2.4)."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from rest_framework.test import APIClient

from athletes.models import AuditAction, AuditEvent
from monitoring.models import CheckIn
from tests.factories import CheckInFactory
from tests.portal.conftest import pains

pytestmark = pytest.mark.django_db
TODAY = reverse("me:today")


def at(days_ago: int, hour: int = 8) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def local_input(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def two_days(squad):
    me = squad["me"]
    today = CheckInFactory(athlete=me, taken_at=timezone.now(), pain_rest=1, note="today's note")
    yesterday = CheckInFactory(athlete=me, taken_at=at(1), pain_rest=6, note="")
    return today, yesterday


def test_an_earlier_time_on_a_logged_day_opens_that_day_and_replaces_nothing(me_client, two_days):
    today, yesterday = two_days
    # The Today page is editing today's check-in; the athlete picks yesterday evening.
    data = {
        **pains(3, 3, 3, note="today's note"),
        "edit": today.pk,
        "taken_at": local_input(at(1, 20)),
        "client_key": uuid.uuid4(),
    }
    response = me_client.post(TODAY, data)
    assert response.status_code == 409
    form = response.context["form"]
    day = date_format(yesterday.local_date, "DATE_FORMAT")
    assert f"already logged a check-in for {day}" in form.non_field_errors()[0]
    assert form["edit"].value() == str(yesterday.pk)  # the form now edits yesterday's
    assert f"Your check-in of {day}".encode() in response.content
    # Nothing was written: both days keep their values and notes.
    today.refresh_from_db()
    yesterday.refresh_from_db()
    assert (today.pain_rest, yesterday.pain_rest, yesterday.note) == (1, 6, "")
    assert CheckIn.objects.count() == 2

    # Saving the opened form changes yesterday's check-in, and says so.
    data.update(edit=yesterday.pk, client_key=uuid.uuid4())
    saved = me_client.post(TODAY, data, follow=True)
    yesterday.refresh_from_db()
    today.refresh_from_db()
    assert (yesterday.pain_rest, today.pain_rest, CheckIn.objects.count()) == (3, 1, 2)
    assert f"Check-in for {day} updated.".encode() in saved.content
    assert b"Today&#x27;s check-in updated" not in saved.content
    assert AuditEvent.objects.filter(action=AuditAction.CHECKIN_CORRECT).count() == 1


def test_an_earlier_time_on_an_empty_day_logs_that_day_and_leaves_today(me_client, squad):
    today = CheckInFactory(athlete=squad["me"], pain_rest=1)
    data = {**pains(4, 4, 4), "edit": today.pk, "taken_at": local_input(at(2))}
    saved = me_client.post(TODAY, data, follow=True)
    day = date_format(timezone.localdate() - dt.timedelta(days=2), "DATE_FORMAT")
    assert f"Check-in for {day} saved.".encode() in saved.content
    today.refresh_from_db()
    assert today.pain_rest == 1
    assert (
        CheckIn.objects.get(local_date=timezone.localdate() - dt.timedelta(days=2)).pain_rest == 4
    )


def test_todays_checkin_is_still_edited_in_place(me_client, squad):
    today = CheckInFactory(athlete=squad["me"], pain_rest=1)
    saved = me_client.post(TODAY, {**pains(2, 2, 2), "edit": today.pk}, follow=True)
    assert b"Today&#x27;s check-in updated." in saved.content
    today.refresh_from_db()
    assert today.pain_rest == 2 and CheckIn.objects.count() == 1


def test_an_edit_field_naming_someone_elses_checkin_edits_nothing_of_theirs(me_client, squad):
    theirs = CheckInFactory(athlete=squad["teammate"], pain_rest=7)
    response = me_client.post(TODAY, {**pains(1, 1, 1), "edit": theirs.pk})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.pain_rest == 7
    assert CheckIn.objects.get(athlete=squad["me"]).pain_rest == 1


def test_the_api_answers_409_naming_the_days_checkin(squad):
    yesterday = CheckInFactory(athlete=squad["me"], taken_at=at(1))
    client = APIClient()
    client.force_authenticate(squad["me"].user)
    response = client.post(
        "/api/v1/checkins/",
        {"athlete": squad["me"].pk, **pains(), "taken_at": at(1, 21).isoformat()},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["existing"] == yesterday.pk
    assert CheckIn.objects.count() == 1
