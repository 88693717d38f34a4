"""Today's check-in on the phone: three taps and a submit, stored exactly once, validated."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.models import CheckIn
from tests.factories import CheckInFactory
from tests.portal.conftest import pains

pytestmark = pytest.mark.django_db
TODAY = reverse("me:today")


def test_the_page_offers_tap_scales_and_a_fresh_client_key(me_client):
    response = me_client.get(TODAY)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('type="radio" name="pain_rest"') == 11
    assert 'name="client_key"' in html
    key1 = response.context["form"].initial["client_key"]
    key2 = me_client.get(TODAY).context["form"].initial["client_key"]
    assert key1 != key2
    assert "uPlot" not in html  # the chart library stays off the check-in page


def test_three_pain_scores_are_a_complete_checkin(me_client, squad):
    response = me_client.post(TODAY, {**pains(2, 3, 1), "client_key": uuid.uuid4()})
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.athlete == squad["me"]
    assert (checkin.pain_rest, checkin.pain_activity, checkin.pain_morning) == (2, 3, 1)
    assert checkin.sleep_hours is None and checkin.confidence is None
    assert checkin.created_by == squad["me"].user
    page = me_client.get(TODAY)
    assert b"Check-in saved" in page.content and b"Logged today at" in page.content


def test_all_fields_are_stored(me_client):
    data = pains(
        0,
        1,
        2,
        soreness_injured=3,
        soreness_other=1,
        sleep_hours="7.5",
        sleep_quality=8,
        confidence=7,
        readiness=6,
        pain_location="back of the thigh",
        note="felt tight after strides",
        client_key=uuid.uuid4(),
    )
    assert me_client.post(TODAY, data).status_code == 302
    c = CheckIn.objects.get()
    assert (c.soreness_injured, c.soreness_other, float(c.sleep_hours)) == (3, 1, 7.5)
    assert (c.sleep_quality, c.confidence, c.readiness) == (8, 7, 6)
    assert c.note == "felt tight after strides" and c.pain_location == "back of the thigh"


def test_the_same_client_key_twice_stores_one_checkin(me_client):
    data = {**pains(), "client_key": str(uuid.uuid4())}
    first = me_client.post(TODAY, data)
    second = me_client.post(TODAY, data)  # double tap, retry, back button
    assert first.status_code == second.status_code == 302
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("bad", ["11", "-1", "abc", "2.5", ""])
def test_a_pain_score_outside_0_to_10_gets_a_field_error_and_nothing_is_stored(me_client, bad):
    response = me_client.post(TODAY, {**pains(), "pain_activity": bad, "client_key": uuid.uuid4()})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["pain_activity"]
    assert "0 to 10" in errors["pain_activity"][0]
    assert b'id="err-pain_activity"' in response.content
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [("soreness_injured", "12"), ("confidence", "x"), ("sleep_hours", "25"), ("sleep_hours", "z")],
)
def test_bad_optional_values_get_a_field_error_too(me_client, field, value):
    response = me_client.post(TODAY, {**pains(), field: value})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not CheckIn.objects.exists()


def test_a_future_taken_at_gets_a_field_error_and_nothing_is_stored(me_client):
    future = timezone.now() + dt.timedelta(hours=3)
    response = me_client.post(TODAY, {**pains(), "taken_at": future.isoformat()})
    assert response.status_code == 400
    assert response.context["form"].errors["taken_at"] == [
        "The check-in time cannot be in the future."
    ]
    assert b'id="err-taken_at"' in response.content
    assert not CheckIn.objects.exists()


def test_a_garbled_taken_at_or_client_key_is_a_field_error_not_a_crash(me_client):
    response = me_client.post(TODAY, {**pains(), "taken_at": "yesterday-ish", "client_key": "x"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"taken_at", "client_key"}
    assert b'id="err-taken_at"' in response.content and b'id="err-stale"' in response.content
    assert not CheckIn.objects.exists()
    response = me_client.post(TODAY, {**pains(), "edit": "not-a-number"})
    assert response.status_code == 400 and b'id="err-stale"' in response.content


def test_a_late_entry_for_yesterday_is_stored_on_yesterday(me_client, squad):
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    response = me_client.post(TODAY, {**pains(), "taken_at": yesterday.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    assert CheckIn.objects.get().local_date == yesterday.date()


def test_a_second_new_checkin_the_same_day_becomes_an_edit_not_a_duplicate(me_client, squad):
    CheckInFactory(athlete=squad["me"], pain_rest=5, pain_activity=5, pain_morning=5)
    response = me_client.post(TODAY, {**pains(1, 1, 1), "client_key": uuid.uuid4()})
    assert response.status_code == 409
    form = response.context["form"]
    assert "already logged" in form.non_field_errors()[0]
    assert form["edit"].value() == str(CheckIn.objects.get().pk)
    assert form["pain_rest"].value() == "1"  # what they entered is kept
    assert CheckIn.objects.get().pain_rest == 5
    # Saving that form replaces the day's check-in.
    data = {**pains(1, 1, 1), "edit": form["edit"].value(), "client_key": uuid.uuid4()}
    assert me_client.post(TODAY, data).status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.pain_rest, checkin.pain_activity) == (1, 1)


def test_a_day_already_logged_is_shown_and_edited_in_place(me_client, squad):
    existing = CheckInFactory(athlete=squad["me"], pain_rest=4, pain_activity=2, pain_morning=3)
    page = me_client.get(TODAY)
    assert b"Logged today at" in page.content
    form = page.context["form"]
    assert form.initial["edit"] == existing.pk and form.initial["pain_rest"] == 4
    response = me_client.post(TODAY, {**pains(2, 2, 2), "edit": existing.pk})
    assert response.status_code == 302
    assert CheckIn.objects.get().pain_rest == 2
    assert b"updated" in me_client.get(TODAY).content


@pytest.mark.parametrize("other", ["teammate", "outsider"])
def test_posting_a_checkin_for_another_athlete_is_refused_and_nothing_is_stored(
    me_client, squad, other
):
    response = me_client.post(TODAY, {**pains(), "athlete": squad[other].pk})
    assert response.status_code == 400
    assert "only log your own" in response.context["form"].non_field_errors()[0]
    assert not CheckIn.objects.exists()


def test_posting_your_own_athlete_id_is_fine(me_client, squad):
    assert me_client.post(TODAY, {**pains(), "athlete": squad["me"].pk}).status_code == 302
    assert CheckIn.objects.get().athlete == squad["me"]


NASTY = ["", " ", "\x00", "1e309", "NaN", "-0", "٣", "9" * 400, "<script>", "null", "[]"]


@pytest.mark.parametrize("value", NASTY)
def test_no_input_makes_the_server_answer_500(me_client, value):
    fields = [
        "pain_rest",
        "soreness_other",
        "sleep_hours",
        "note",
        "pain_location",
        "taken_at",
        "client_key",
        "edit",
        "athlete",
    ]
    for field in fields:
        response = me_client.post(TODAY, {**pains(), "client_key": uuid.uuid4(), field: value})
        assert response.status_code < 500, field
    for field in ("kind", "minutes", "client_key", "athlete"):
        data = {"kind": "cold", "minutes": "10", field: value}
        assert me_client.post(reverse("me:recovery"), data).status_code < 500, field
