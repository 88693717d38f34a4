"""Staff notifications in the app: the bell's unread count in the header, the list (newest
first, paginated), marking one or all read, each by its recipient alone."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from monitoring.models import FlagKind, Notification
from monitoring.notify import notify_pending
from tests.factories import FlagFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
LIST = reverse("notifications:list")
READ_ALL = reverse("notifications:read-all")


def read_url(notification):
    return reverse("notifications:read", args=[notification.pk])


def pain_flag(athlete, *, hours_ago=76, opened_at=None):
    first = T0 - dt.timedelta(hours=hours_ago)
    return FlagFactory(
        athlete=athlete,
        kind=FlagKind.PAIN_PERSISTING,
        summary="Pain at or above 3/10",
        evidence={"rule": "persisting", "threshold": 3, "first_painful_at": first.isoformat()},
        opened_at=opened_at or T0,
    )


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def notified(world):
    """A pain flag on the world's athlete, notified to the team's coach and clinician."""
    flag = pain_flag(world.athlete)
    notify_pending()
    return flag


def mine(user):
    return Notification.objects.get(recipient=user)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- the bell -----------------------------------------------------------------------------------


def test_the_staff_header_shows_the_unread_count(client, world, notified):
    client.force_login(world.coach)
    html = client.get(reverse("coach:roster")).content.decode()
    assert f'href="{LIST}"' in html
    assert 'aria-label="Notifications: 1 unread"' in html
    assert '<span id="bell-count" class="count">1</span>' in html


def test_the_bell_counts_only_the_persons_own_unread_notifications(client, world, notified):
    Notification.objects.filter(recipient=world.clinician).update(read_at=T0)
    client.force_login(world.clinician)
    html = client.get(reverse("clinic:queue")).content.decode()
    assert 'aria-label="Notifications"' in html and "unread" not in html.split("bell")[1][:200]
    client.force_login(world.outsider_coach)
    assert 'aria-label="Notifications"' in client.get(reverse("coach:roster")).content.decode()


def test_the_athletes_phone_pages_have_no_bell(client, world, notified):
    client.force_login(world.athlete.user)
    html = client.get(reverse("me:today")).content.decode()
    assert "bell" not in html and LIST not in html


def test_a_person_who_left_the_team_no_longer_counts_its_notifications(client, world, notified):
    world.coach.memberships.update(team=world.other_team)
    client.force_login(world.coach)
    assert 'aria-label="Notifications"' in client.get(reverse("coach:roster")).content.decode()
    assert client.get(LIST).context["page"].paginator.count == 0


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_athlete_kind_summary_when_and_a_link_newest_first(
    client, world, notified, frozen
):
    frozen.move_to(T0 + dt.timedelta(hours=1))
    newer = FlagFactory(
        athlete=world.teammate,
        kind=FlagKind.MISSED_CHECKINS,
        evidence={
            "days_without_checkin": 4,
            "last_checkin_at": (T0 - dt.timedelta(days=4)).isoformat(),
            "plan_started_at": "2026-02-20T08:00:00+00:00",
        },
        opened_at=T0 + dt.timedelta(hours=1),
    )
    notify_pending()
    client.force_login(world.coach)
    response = client.get(LIST)
    page = text(response)
    assert page.index("Theo Banks") < page.index("Maya Okafor")
    assert "Missed check-ins: no check-in for 4 days" in page
    assert "Pain above threshold: pain ≥ 3/10 for 77 h" in page
    assert "2 unread" in page and "an hour ago" in page
    html = response.content.decode()
    assert f'href="/coach/athletes/{world.athlete.pk}/#flags"' in html
    assert f'href="/coach/athletes/{newer.athlete_id}/#flags"' in html


def test_the_list_is_paginated_25_a_page(client, world):
    for n in range(30):
        flag = pain_flag(world.athlete, opened_at=T0 - dt.timedelta(days=n))
        Notification.objects.create(recipient=world.coach, flag=flag, message=f"n{n}")
        flag.status = "resolved"
        flag.resolved_at = T0
        flag.save()
    client.force_login(world.coach)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    assert "page 1 of 2" in text(first) and 'href="?page=2"' in first.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["page"].object_list) == 5
    for page in ("0", "-1", "abc", "99999999999999999999"):
        assert client.get(LIST, {"page": page}).status_code == 200


def test_the_list_page_over_htmx_returns_only_the_list(client, world, notified):
    client.force_login(world.coach)
    html = client.get(LIST, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section class="card" id="notification-list">')
    assert "<html" not in html


def test_the_list_and_its_actions_are_for_staff_only(client, world, notified):
    client.force_login(world.athlete.user)
    assert client.get(LIST).status_code == 403
    assert client.post(READ_ALL).status_code == 403
    assert client.post(read_url(mine(world.coach))).status_code == 403
    anonymous = Client()
    for response in (anonymous.get(LIST), anonymous.post(READ_ALL)):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- marking read -------------------------------------------------------------------------------


def test_marking_one_read_without_javascript_goes_back_to_its_page(client, world, notified):
    client.force_login(world.coach)
    notification = mine(world.coach)
    response = client.post(read_url(notification), {"page": "2"})
    assert response.status_code == 302 and response["Location"] == f"{LIST}?page=2"
    notification.refresh_from_db()
    assert notification.read_at == T0
    # The clinician's notification of the same flag is theirs: still unread.
    assert mine(world.clinician).read_at is None


def test_marking_one_read_over_htmx_swaps_the_list_and_the_bell(client, world, notified):
    client.force_login(world.coach)
    response = client.post(read_url(mine(world.coach)), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="notification-list"' in html
    assert "0 unread" in text(response)
    assert '<span id="bell-count" hx-swap-oob="true" class="count"></span>' in html


def test_reading_again_keeps_the_first_time(client, world, notified, frozen):
    client.force_login(world.coach)
    client.post(read_url(mine(world.coach)))
    frozen.move_to(T0 + dt.timedelta(hours=2))
    client.post(read_url(mine(world.coach)))
    assert mine(world.coach).read_at == T0


@pytest.mark.parametrize("who", ["clinician", "outsider_coach", "outsider_clinician"])
def test_only_the_recipient_can_mark_a_notification_read(client, world, notified, who):
    client.force_login(getattr(world, who))
    notification = mine(world.coach)
    assert client.post(read_url(notification)).status_code == 404
    assert client.post(read_url(notification), headers={"HX-Request": "true"}).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_only_the_recipient_sees_a_notification_in_their_list(client, world, notified):
    client.force_login(world.outsider_coach)
    assert client.get(LIST).context["page"].paginator.count == 0
    assert "Maya Okafor" not in text(client.get(LIST))


def test_an_unknown_or_huge_id_is_404(client, world, notified):
    client.force_login(world.coach)
    assert client.post("/notifications/0/read/").status_code == 404
    assert client.post(f"/notifications/{2**63}/read/").status_code == 404


def test_marking_read_is_a_post_with_csrf(world, notified):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coach)
    assert client.get(read_url(mine(world.coach))).status_code == 405
    assert client.post(read_url(mine(world.coach))).status_code == 403
    assert client.post(READ_ALL).status_code == 403
    assert mine(world.coach).read_at is None


def test_mark_all_read_marks_only_the_persons_own(client, world, notified):
    second = pain_flag(world.teammate)
    notify_pending()
    client.force_login(world.coach)
    response = client.post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Notification.objects.filter(recipient=world.coach, read_at=None).exists()
    assert Notification.objects.filter(recipient=world.clinician, read_at=None).count() == 2
    assert "2 notifications marked read." in text(client.get(LIST))
    assert second.notifications.count() == 2


def test_mark_all_read_over_htmx_returns_the_list(client, world, notified):
    client.force_login(world.coach)
    response = client.post(READ_ALL, headers={"HX-Request": "true"})
    assert 'id="notification-list"' in response.content.decode()
    assert "0 unread" in text(response) and "Mark all read" not in text(response)
