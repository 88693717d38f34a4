"""Each person's notification preferences: e-mail per flag kind on or off, one e-mail per flag
or a daily digest at a chosen local time; the flag e-mails and the digest job obey them."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from monitoring.models import EmailDelivery, FlagKind, Notification, NotificationPreference
from monitoring.notify import next_digest_at, notify_pending, send_due_digests
from monitoring.services import save_notification_preferences
from monitoring.tasks import send_notification_digests
from tests.factories import FlagFactory

pytestmark = pytest.mark.django_db

# 2 March: Europe/London is on GMT, so local time is UTC.
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
PREFERENCES = reverse("notifications:preferences")
ALL_ON = {
    "email_pain_persisting": "on",
    "email_metric_regression": "on",
    "email_missed_checkins": "on",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def flag(athlete, kind=FlagKind.PAIN_PERSISTING, **fields):
    evidence = {
        FlagKind.PAIN_PERSISTING: {"threshold": 3, "hours": 60.0},
        FlagKind.MISSED_CHECKINS: {"days_without_checkin": 4},
        FlagKind.METRIC_REGRESSION: {
            "metric_name": "30 m split",
            "unit": "s",
            "direction": "lower",
            "drop_pct": 8.04,
        },
    }[kind]
    return FlagFactory(athlete=athlete, kind=kind, evidence=evidence, **fields)


def to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def digest(user, at="07:30", **switches):
    values = {
        "email_pain_persisting": True,
        "email_metric_regression": True,
        "email_missed_checkins": True,
        "delivery": EmailDelivery.DIGEST,
        "digest_time": dt.time.fromisoformat(at),
        "language": "",
        **switches,
    }
    return save_notification_preferences(user, values)


# --- the page -----------------------------------------------------------------------------------


def test_a_coach_chooses_kinds_a_daily_digest_and_a_language(client, world):
    client.force_login(world.coach)
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pain above threshold" in html and "One e-mail a day" in html
    assert '<option value="en-gb">English</option>' in html
    response = client.post(
        PREFERENCES,
        {
            "email_pain_persisting": "on",
            "delivery": "digest",
            "digest_time": "18:15",
            "language": "en-gb",
        },
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=world.coach)
    assert preference.email_pain_persisting
    assert not preference.email_metric_regression and not preference.email_missed_checkins
    assert preference.delivery == "digest" and preference.digest_time == dt.time(18, 15)
    assert preference.language == "en-gb"
    assert preference.next_digest_at == dt.datetime(2026, 3, 2, 18, 15, tzinfo=dt.UTC)
    assert "Next digest: 2 Mar 2026" in client.get(PREFERENCES).content.decode()


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"delivery": "hourly"}, "delivery"),
        ({"delivery": ""}, "delivery"),
        ({"digest_time": "25:99"}, "digest_time"),
        ({"digest_time": "soon"}, "digest_time"),
        ({"language": "xx-yy"}, "language"),
        ({"language": "de"}, "language"),  # not one the site offers
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_stored(client, world, bad, field):
    client.force_login(world.coach)
    body = {**ALL_ON, "delivery": "each", "digest_time": "07:00", "language": "", **bad}
    response = client.post(PREFERENCES, body)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=world.coach).exists()


def test_an_athlete_chooses_only_the_language_in_the_phone_frame(client, world):
    client.force_login(world.athlete.user)
    html = client.get(PREFERENCES).content.decode()
    assert 'class="bottom-nav"' in html
    assert "E-mail me about" not in html and "digest" not in html.lower()
    assert client.post(PREFERENCES, {"language": "en-gb", "delivery": "digest"}).status_code == 302
    preference = NotificationPreference.objects.get(user=world.athlete.user)
    assert preference.language == "en-gb" and preference.delivery == EmailDelivery.EACH


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_each_person_changes_only_their_own_preferences(client, world):
    digest(world.clinician)
    client.force_login(world.coach)
    client.post(PREFERENCES, {"delivery": "each", "digest_time": "07:00", "language": ""})
    assert NotificationPreference.objects.get(user=world.clinician).delivery == "digest"
    assert not NotificationPreference.objects.get(user=world.coach).email_pain_persisting


def test_the_profile_links_to_the_preferences(client, world):
    client.force_login(world.coach)
    assert f'href="{PREFERENCES}"' in client.get(reverse("profile")).content.decode()


# --- one e-mail per flag ------------------------------------------------------------------------


def test_without_preferences_every_flag_is_emailed_as_it_opens(world):
    flag(world.athlete)
    notify_pending()
    assert len(to(world.coach)) == 1 and len(to(world.clinician)) == 1
    assert "pain ≥ 3/10 for 60 h" in to(world.coach)[0].body


def test_a_kind_turned_off_is_not_emailed_but_still_listed(client, world):
    digest(world.coach, email_pain_persisting=False)
    save_notification_preferences(
        world.coach,
        {"delivery": EmailDelivery.EACH, "email_pain_persisting": False},
    )
    flag(world.athlete)
    flag(world.athlete, FlagKind.MISSED_CHECKINS)
    notify_pending()
    (email,) = to(world.coach)
    assert email.subject.startswith("[Sprintback] Missed check-ins")
    assert len(to(world.clinician)) == 2  # the clinician chose nothing: both
    # Settled, never sent later, even when the kind is turned on again.
    assert not Notification.objects.filter(recipient=world.coach, emailed_at=None).exists()
    save_notification_preferences(world.coach, {"email_pain_persisting": True})
    notify_pending()
    assert len(to(world.coach)) == 1
    client.force_login(world.coach)
    assert client.get(reverse("notifications:list")).context["page"].paginator.count == 2


def test_a_digest_person_gets_no_email_per_flag(world):
    digest(world.coach)
    flag(world.athlete)
    notify_pending()
    assert to(world.coach) == [] and len(to(world.clinician)) == 1
    assert Notification.objects.get(recipient=world.coach).emailed_at is None


# --- the daily digest ---------------------------------------------------------------------------


def test_the_next_digest_is_the_next_time_the_local_clock_shows_it():
    assert next_digest_at(dt.time(7, 30), now=T0) == T0 + dt.timedelta(days=1, minutes=-30)
    assert next_digest_at(dt.time(8, 0), now=T0) == T0 + dt.timedelta(days=1)
    assert next_digest_at(dt.time(9, 0), now=T0) == T0 + dt.timedelta(hours=1)
    # Summer time: 07:30 in London is 06:30 UTC.
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert next_digest_at(dt.time(7, 30), now=summer) == dt.datetime(
        2026, 7, 2, 6, 30, tzinfo=dt.UTC
    )


def test_the_digest_lists_unread_notifications_once_at_the_chosen_time(world, frozen):
    digest(world.coach, at="09:00")
    flag(world.athlete)
    flag(world.teammate, FlagKind.METRIC_REGRESSION)
    read = flag(world.athlete, FlagKind.MISSED_CHECKINS)
    notify_pending()
    Notification.objects.filter(recipient=world.coach, flag=read).update(read_at=T0)

    frozen.move_to(T0 + dt.timedelta(minutes=59))
    send_notification_digests.delay()
    assert to(world.coach) == []

    frozen.move_to(T0 + dt.timedelta(hours=1))
    send_notification_digests.delay()
    (email,) = to(world.coach)
    assert email.subject == "[Sprintback] 2 new flags to review"
    assert "Maya Okafor (Riverside) — Pain above threshold: pain ≥ 3/10 for 60 h" in email.body
    assert "Theo Banks (Riverside) — Metric regression: 30 m split 8 % slower" in email.body
    assert "no check-in" not in email.body  # read already
    assert f"/coach/athletes/{world.athlete.pk}/#flags" in email.body
    assert "None" not in email.body
    # Every notification of theirs is settled, the read one too.
    assert not Notification.objects.filter(recipient=world.coach, emailed_at=None).exists()

    # Running again, or later the same day, sends nothing more.
    send_notification_digests.delay()
    frozen.move_to(T0 + dt.timedelta(hours=5))
    send_due_digests()
    assert len(to(world.coach)) == 1
    preference = NotificationPreference.objects.get(user=world.coach)
    assert preference.next_digest_at == T0 + dt.timedelta(days=1, hours=1)


def test_the_next_days_digest_lists_only_what_came_since(world, frozen):
    digest(world.coach, at="09:00")
    flag(world.athlete)
    notify_pending()
    frozen.move_to(T0 + dt.timedelta(hours=1))
    send_due_digests()
    frozen.move_to(T0 + dt.timedelta(hours=20))
    flag(world.teammate, FlagKind.MISSED_CHECKINS)
    notify_pending()
    frozen.move_to(T0 + dt.timedelta(days=1, hours=1))
    send_due_digests()
    first, second = to(world.coach)
    assert second.subject == "[Sprintback] 1 new flag to review"
    assert "Theo Banks" in second.body and "Maya Okafor" not in second.body


def test_nothing_unread_sends_no_digest_but_moves_to_the_next_day(world, frozen):
    digest(world.coach, at="09:00")
    frozen.move_to(T0 + dt.timedelta(hours=1))
    assert send_due_digests() == {"due": 1, "sent": 0, "failures": 0}
    assert to(world.coach) == []
    assert NotificationPreference.objects.get(user=world.coach).next_digest_at == T0 + dt.timedelta(
        days=1, hours=1
    )


def test_the_digest_leaves_out_kinds_turned_off(world, frozen):
    digest(world.coach, at="09:00", email_pain_persisting=False)
    flag(world.athlete)
    notify_pending()
    frozen.move_to(T0 + dt.timedelta(hours=1))
    send_due_digests()
    assert to(world.coach) == []
    assert Notification.objects.get(recipient=world.coach).emailed_at is not None


def test_a_failed_digest_is_sent_by_the_next_run_and_others_still_get_theirs(
    world, frozen, monkeypatch
):
    digest(world.coach, at="09:00")
    digest(world.clinician, at="09:00")
    flag(world.athlete)
    notify_pending()
    frozen.move_to(T0 + dt.timedelta(hours=1))
    import monitoring.notify as notify

    real = notify.send_mail

    def flaky(*args, recipient_list, **kwargs):
        if recipient_list == [world.coach.email]:
            raise ConnectionError("mail server down")
        return real(*args, recipient_list=recipient_list, **kwargs)

    monkeypatch.setattr(notify, "send_mail", flaky)
    assert send_due_digests() == {"due": 2, "sent": 1, "failures": 1}
    assert len(to(world.clinician)) == 1 and to(world.coach) == []
    assert Notification.objects.get(recipient=world.coach).emailed_at is None
    monkeypatch.setattr(notify, "send_mail", real)
    frozen.move_to(T0 + dt.timedelta(hours=1, minutes=1))
    assert send_due_digests()["sent"] == 1
    assert len(to(world.coach)) == 1 and len(to(world.clinician)) == 1


def test_leaving_the_digest_unschedules_it(world):
    digest(world.coach)
    preference = save_notification_preferences(world.coach, {"delivery": EmailDelivery.EACH})
    assert preference.next_digest_at is None


def test_the_digest_rings_on_the_persons_own_clock_and_its_e_mail_says_their_times(world):
    """A coach in Madrid (UTC+1 in winter) choosing 07:00 gets the digest at 06:00 UTC; the
    flag's time in it is written on the Madrid clock."""
    winter = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
    preference = save_notification_preferences(
        world.coach,
        {
            "delivery": EmailDelivery.DIGEST,
            "digest_time": dt.time(7, 0),
            "time_zone": "Europe/Madrid",
        },
        now=winter,
    )
    assert preference.next_digest_at == dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
    FlagFactory(athlete=world.athlete, opened_at=dt.datetime(2026, 12, 1, 5, 30, tzinfo=dt.UTC))
    notify_pending(dt.datetime(2026, 12, 1, 5, 31, tzinfo=dt.UTC))
    mail.outbox.clear()
    send_due_digests(dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC))
    (message,) = [m for m in mail.outbox if m.to == [world.coach.email]]
    assert "06:30" in message.body  # 05:30 UTC on the Madrid clock
    preference.refresh_from_db()
    assert preference.next_digest_at == dt.datetime(2026, 12, 2, 6, 0, tzinfo=dt.UTC)


def test_a_time_zone_the_list_does_not_have_is_refused_on_the_page(client, world):
    client.force_login(world.coach)
    body = {
        **ALL_ON,
        "delivery": "digest",
        "digest_time": "07:00",
        "language": "",
        "time_zone": "Mars/Olympus",
    }
    response = client.post(PREFERENCES, body)
    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    assert not NotificationPreference.objects.filter(
        user=world.coach, time_zone="Mars/Olympus"
    ).exists()
