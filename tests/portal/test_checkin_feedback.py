"""Something back for every check-in, on Today and in the check-in API's answer: the same
feedback (rehab.checkin_feedback), only ever the athlete's own."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from athletes.tokens import issue_token
from monitoring.models import FlagKind
from tests.factories import CheckInFactory, FlagFactory
from tests.portal.conftest import pains

pytestmark = pytest.mark.django_db
TODAY = reverse("me:today")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_saving_todays_check_in_shows_what_the_data_says(me_client, squad):
    me = squad["me"]
    CheckInFactory(athlete=me, taken_at=timezone.now() - dt.timedelta(days=1), pain_rest=1)
    CheckInFactory(athlete=me, taken_at=timezone.now() - dt.timedelta(days=9), pain_morning=4)
    assert me_client.get(TODAY).context["feedback"] is None  # nothing logged today yet
    response = me_client.post(TODAY, {**pains(2, 3, 1), "client_key": uuid.uuid4()}, follow=True)
    page = text(response.content.decode())
    assert "Check-in saved" in page and "Your data so far" in page
    assert "Worst pain in the last 7 days: 3/10, down from 4/10." in page
    assert "2 days in a row with a check-in." in page
    # Maya is in phase 3 for five days: what stands before phase 4, in her words.
    assert "Before phase 4 (High speed and reactive): 0 of 7 criteria met. Still to show:" in page
    assert "Days in this phase: 6 of at least 7" in page
    assert "No strength test logged in this phase yet" in page
    assert "None" not in page


def test_a_check_in_for_another_day_gets_its_feedback_once(me_client, squad):
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    data = {**pains(1, 1, 1), "client_key": uuid.uuid4(), "taken_at": yesterday.isoformat()}
    response = me_client.post(TODAY, data, follow=True)
    assert response.context["feedback"].streak == 1
    assert response.context["existing"] is None  # today is still to log
    assert me_client.get(TODAY).context["feedback"] is None  # shown once


def test_the_flag_told_line_is_the_athletes_own(me_client, squad):
    FlagFactory(athlete=squad["teammate"], kind=FlagKind.MISSED_CHECKINS)
    me_client.post(TODAY, {**pains(), "client_key": uuid.uuid4()})
    assert me_client.get(TODAY).context["feedback"].flags == []
    FlagFactory(
        athlete=squad["me"],
        kind=FlagKind.PAIN_PERSISTING,
        evidence={"rule": "rising", "reports": []},
    )
    page = text(me_client.get(TODAY).content.decode())
    assert (
        "Your pain has gone up in your last three check-ins — your coach and clinician have "
        "been told." in page
    )


def api_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)[1]}")
    return client


def post_checkin(client, athlete, **headers):
    body = {"athlete": athlete.pk, "pain_rest": 1, "pain_activity": 2, "pain_morning": 0}
    return client.post("/api/v1/checkins/", body, format="json", **headers)


def test_the_api_answers_a_check_in_with_the_same_feedback(squad, django_assert_max_num_queries):
    me = squad["me"]
    client = api_client(me.user)
    for n in range(1, 60):  # a long history costs the feedback nothing more
        CheckInFactory(athlete=me, taken_at=timezone.now() - dt.timedelta(days=n))
    # The write (6 here, tests/monitoring/test_checkin_ingest.py), then the feedback's 14
    # reads: the athlete, pain, streak, plan, phases, gates, the gate engine's facts (three of
    # them the speed_exposures gate's trials and pre-injury top speed), flags.
    with django_assert_max_num_queries(20):
        response = post_checkin(client, me, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "athlete", "pain_rest", "local_date", "voided_at"} <= set(body)  # kept
    feedback = body["feedback"]
    assert feedback["streak"] == {"days": 60, "text": "60 days in a row with a check-in."}
    assert feedback["next_phase"]["order"] == 4
    assert "Days in this phase: 6 of at least 7" in [
        g["text"] for g in feedback["next_phase"]["remaining"]
    ]
    assert feedback["lines"][:2] == [feedback["pain"]["text"], feedback["streak"]["text"]]
    # A retry with the same key replays the check-in, with the feedback of now.
    replay = post_checkin(client, me, HTTP_IDEMPOTENCY_KEY="k1")
    assert replay.json()["id"] == body["id"] and replay.json()["feedback"] == feedback
    # Reads carry the field, null: feedback answers a POST.
    listed = client.get("/api/v1/checkins/").json()["results"]
    assert listed[0]["id"] == body["id"] and listed[0]["feedback"] is None


def test_a_coach_posting_for_an_athlete_gets_that_athletes_feedback(squad):
    response = post_checkin(api_client(squad["coach"]), squad["me"])
    assert response.status_code == 201
    assert response.json()["feedback"]["next_phase"]["order"] == 4
    refused = post_checkin(api_client(squad["other_coach"]), squad["me"])
    assert refused.status_code == 400 and "feedback" not in refused.json()


def test_the_schema_adds_feedback_and_keeps_every_field(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    checkin = schema["components"]["schemas"]["CheckIn"]["properties"]
    assert checkin["feedback"]["readOnly"] is True
    assert {"athlete", "taken_at", "pain_rest", "pain_activity", "pain_morning"} <= set(checkin)
    assert "CheckInFeedback" in schema["components"]["schemas"]
