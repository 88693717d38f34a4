"""The /me/ pages show only the signed-in athlete's own data; everyone else gets 404."""

import pytest
from django.urls import reverse

from tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db
PAGES = ["me:today", "me:plan", "me:recovery", "me:history"]


@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize("who", ["coach", "clinician", "other_coach", "nobody"])
def test_staff_and_people_without_an_athlete_record_get_404(client, squad, who, url_name):
    client.force_login(squad[who])
    assert client.get(reverse(url_name)).status_code == 404
    assert client.post(reverse(url_name), {"pain_rest": 1}).status_code in (404, 405)


@pytest.mark.parametrize("url_name", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_an_athlete_sees_only_their_own_checkins(client, squad, who):
    CheckInFactory(athlete=squad["me"], note="mine-note")
    CheckInFactory(athlete=squad[who], note="their-note")
    client.force_login(squad[who].user)
    html = client.get(reverse("me:history")).content
    assert b"their-note" in html and b"mine-note" not in html
    client.force_login(squad["me"].user)
    html = client.get(reverse("me:history")).content
    assert b"mine-note" in html and b"their-note" not in html


def test_home_sends_an_athlete_to_me_and_keeps_staff_on_the_roster(client, squad):
    client.force_login(squad["me"].user)
    assert client.get(reverse("home"))["Location"] == reverse("me:today")
    client.force_login(squad["coach"])
    assert client.get(reverse("home"))["Location"] == reverse("coach:roster")
