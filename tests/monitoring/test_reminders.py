"""Check-in reminders: due at the athlete's chosen local time, once a local day, only while
they are in an active plan and have not checked in; claimed exactly once (two workers, a
killed worker); right across daylight-saving changes and a change of time zone; a push
refused 410 removes the subscription and the reminder goes by e-mail."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from core.vapid import new_key_pair
from monitoring import reminders
from monitoring.models import CheckinReminder, PushSubscription
from rehab.models import Plan
from rehab.reminders import REMINDER_LEASE, send_due_reminders
from tests.concurrency import race
from tests.factories import CheckInFactory, start_plan
from tests.monitoring.fake_push import BrowserKeys, start_fake_push_service

MADRID = ZoneInfo("Europe/Madrid")
UTC = dt.UTC
AT_0730 = dt.time(7, 30)
# A summer Monday: Madrid is UTC+2, so 07:30 local is 05:30 UTC.
DAY = dt.date(2026, 6, 1)
DUE = dt.datetime(2026, 6, 1, 5, 30, tzinfo=UTC)
EARLY_MORNING = dt.datetime(2026, 6, 1, 4, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


_KEYS = new_key_pair()


@pytest.fixture(autouse=True)
def vapid_keys(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = _KEYS
    settings.VAPID_SUBJECT = "mailto:reminders@sprintback.example.org"


@pytest.fixture
def madrid_athlete(world):
    """The world's athlete, in Madrid, in an active plan, reminded at 07:30."""
    athlete = world.athlete
    start_plan(athlete, phase_order=1)
    reminders.set_time_zone(athlete.user, "Europe/Madrid", now=EARLY_MORNING)
    reminders.set_reminder_time(athlete, AT_0730, now=EARLY_MORNING)
    return athlete


def reminder(athlete) -> CheckinReminder:
    return CheckinReminder.objects.get(athlete=athlete)


# --- when it is due ---------------------------------------------------------------------------


def test_reminders_are_off_until_the_athlete_chooses_a_time(world):
    start_plan(world.athlete)
    assert reminders.reminder_of(world.athlete).time is None
    assert send_due_reminders(now=DUE + dt.timedelta(days=3))["due"] == 0
    assert mail.outbox == []


def test_a_reminder_is_due_at_the_chosen_local_time_and_not_before(madrid_athlete):
    assert reminder(madrid_athlete).next_reminder_at == DUE

    assert send_due_reminders(now=DUE - dt.timedelta(minutes=1))["sent"] == 0
    assert mail.outbox == []

    report = send_due_reminders(now=DUE)
    assert report["sent"] == report["email"] == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [madrid_athlete.user.email]
    assert "check-in" in mail.outbox[0].subject
    row = reminder(madrid_athlete)
    assert row.handled_on == DAY
    assert row.last_channel == "email"
    assert row.next_reminder_at == DUE + dt.timedelta(days=1)


def test_one_reminder_a_day_however_often_the_job_runs(madrid_athlete):
    for minutes in range(0, 180, 1):
        send_due_reminders(now=DUE + dt.timedelta(minutes=minutes))
    assert len(mail.outbox) == 1


def test_no_reminder_after_that_days_check_in(madrid_athlete):
    CheckInFactory(athlete=madrid_athlete, taken_at=DUE - dt.timedelta(minutes=40))
    report = send_due_reminders(now=DUE)
    assert report["sent"] == 0 and report["skipped"] == 1
    assert mail.outbox == []
    # The day is settled; the next day is reminded as usual.
    assert reminder(madrid_athlete).next_reminder_at == DUE + dt.timedelta(days=1)
    assert send_due_reminders(now=DUE + dt.timedelta(days=1))["sent"] == 1


def test_a_check_in_of_the_day_before_does_not_stop_the_reminder(madrid_athlete):
    CheckInFactory(athlete=madrid_athlete, taken_at=DUE - dt.timedelta(hours=8))  # 23:30 local
    assert send_due_reminders(now=DUE)["sent"] == 1


def test_no_reminder_without_an_active_plan(world):
    athlete = world.teammate  # no plan at all
    reminders.set_time_zone(athlete.user, "Europe/Madrid", now=EARLY_MORNING)
    reminders.set_reminder_time(athlete, AT_0730, now=EARLY_MORNING)
    assert send_due_reminders(now=DUE)["skipped"] == 1
    assert mail.outbox == []


def test_no_reminder_once_the_plan_is_closed(madrid_athlete):
    Plan.objects.filter(athlete=madrid_athlete).update(status=Plan.Status.CLOSED)
    send_due_reminders(now=DUE)
    assert mail.outbox == []


def test_a_day_the_job_missed_altogether_is_not_reminded_late(madrid_athlete):
    # The workers were down from before 07:30 until after midnight (Madrid).
    report = send_due_reminders(now=dt.datetime(2026, 6, 1, 22, 30, tzinfo=UTC))
    assert report["sent"] == 0
    assert reminder(madrid_athlete).next_reminder_at == DUE + dt.timedelta(days=1)


def test_more_due_than_one_batch_are_all_sent_in_one_run(world):
    athletes = [world.athlete, world.teammate]
    for athlete in athletes:
        start_plan(athlete, phase_order=1)
        reminders.set_time_zone(athlete.user, "Europe/Madrid", now=EARLY_MORNING)
        reminders.set_reminder_time(athlete, AT_0730, now=EARLY_MORNING)
    assert send_due_reminders(now=DUE, batch=1)["sent"] == 2
    assert len(mail.outbox) == 2


# --- exactly once -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_one_reminder(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    athletes = [world.athlete, world.teammate]
    for athlete in athletes:
        start_plan(athlete, phase_order=1)
        reminders.set_time_zone(athlete.user, "Europe/Madrid", now=EARLY_MORNING)
        reminders.set_reminder_time(athlete, AT_0730, now=EARLY_MORNING)
    outcomes = race(lambda: send_due_reminders(now=DUE), count=2)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sum(o["sent"] for o in outcomes) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.user.email for a in athletes)


def test_a_killed_workers_claim_is_taken_over_after_the_lease(madrid_athlete):
    row = reminder(madrid_athlete)
    # A worker claimed the row (step 1 of send_due_reminders) and was killed before settling it.
    claimed = CheckinReminder.objects.filter(
        pk=row.pk, next_reminder_at=row.next_reminder_at, claimed_until=None
    ).update(claimed_until=DUE + REMINDER_LEASE)
    assert claimed == 1

    assert send_due_reminders(now=DUE + dt.timedelta(minutes=1))["due"] == 0
    assert mail.outbox == []

    report = send_due_reminders(now=DUE + REMINDER_LEASE + dt.timedelta(seconds=1))
    assert report["sent"] == 1
    assert len(mail.outbox) == 1
    assert reminder(madrid_athlete).claimed_until is None


# --- daylight saving and travel ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Spring forward, 2026-03-29 02:00 → 03:00: 07:30 is 06:30 UTC, then 05:30 UTC.
        (dt.datetime(2026, 3, 28, 6, 30, tzinfo=UTC), dt.datetime(2026, 3, 29, 5, 30, tzinfo=UTC)),
        # Fall back, 2026-10-25 03:00 → 02:00: 07:30 is 05:30 UTC, then 06:30 UTC.
        (
            dt.datetime(2026, 10, 24, 5, 30, tzinfo=UTC),
            dt.datetime(2026, 10, 25, 6, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_0730_reminder_stays_at_0730_local_across_the_dst_change(world, before, after):
    athlete = world.athlete
    start_plan(athlete, phase_order=1)
    reminders.set_time_zone(athlete.user, "Europe/Madrid", now=before - dt.timedelta(hours=3))
    reminders.set_reminder_time(athlete, AT_0730, now=before - dt.timedelta(hours=3))
    assert reminder(athlete).next_reminder_at == before

    assert send_due_reminders(now=before)["sent"] == 1
    assert reminder(athlete).next_reminder_at == after
    assert after.astimezone(MADRID).time() == AT_0730

    assert send_due_reminders(now=after - dt.timedelta(minutes=1))["sent"] == 0
    assert send_due_reminders(now=after)["sent"] == 1
    assert len(mail.outbox) == 2


def test_a_time_the_clock_skips_comes_at_the_old_offset():
    # 02:30 does not exist in Madrid on 2026-03-29: it comes at 01:30 UTC (03:30 CEST).
    due = reminders.next_reminder_at(
        dt.time(2, 30), MADRID, now=dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    )
    assert due == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_changed_time_zone_reschedules_at_once(madrid_athlete):
    assert reminder(madrid_athlete).next_reminder_at == DUE
    reminders.set_time_zone(madrid_athlete.user, "America/New_York", now=EARLY_MORNING)
    # 07:30 in New York (UTC-4 in June).
    assert reminder(madrid_athlete).next_reminder_at == dt.datetime(2026, 6, 1, 11, 30, tzinfo=UTC)
    assert send_due_reminders(now=DUE)["sent"] == 0
    assert send_due_reminders(now=dt.datetime(2026, 6, 1, 11, 30, tzinfo=UTC))["sent"] == 1


def test_flying_west_after_the_reminder_does_not_bring_the_same_day_back(madrid_athlete):
    assert send_due_reminders(now=DUE)["sent"] == 1
    # Still 1 June in New York (02:00) when the athlete lands and changes the zone.
    landed = dt.datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
    reminders.set_time_zone(madrid_athlete.user, "America/New_York", now=landed)
    assert reminder(madrid_athlete).next_reminder_at == dt.datetime(2026, 6, 2, 11, 30, tzinfo=UTC)
    send_due_reminders(now=dt.datetime(2026, 6, 1, 11, 30, tzinfo=UTC))
    assert len(mail.outbox) == 1


def test_a_changed_time_reschedules_at_once(madrid_athlete):
    reminders.set_reminder_time(madrid_athlete, dt.time(6, 15), now=EARLY_MORNING)
    assert reminder(madrid_athlete).next_reminder_at == dt.datetime(2026, 6, 1, 4, 15, tzinfo=UTC)
    reminders.set_reminder_time(madrid_athlete, None, now=EARLY_MORNING)
    assert reminder(madrid_athlete).next_reminder_at is None
    assert send_due_reminders(now=DUE)["due"] == 0


# --- push, and the e-mail fallback ------------------------------------------------------------


@pytest.fixture
def push_service():
    service = start_fake_push_service()
    yield service
    service.server.shutdown()
    service.server.server_close()


def subscribe(athlete, push_service, name="phone"):
    keys = BrowserKeys()
    PushSubscription.objects.create(
        user=athlete.user, endpoint=push_service.endpoint(name), p256dh=keys.p256dh, auth=keys.auth
    )
    return keys


def test_a_reminder_goes_by_push_when_the_phone_is_subscribed(madrid_athlete, push_service):
    subscribe(madrid_athlete, push_service)
    report = send_due_reminders(now=DUE)
    assert report["push"] == 1
    assert len(push_service.received) == 1
    assert mail.outbox == []
    assert reminder(madrid_athlete).last_channel == "push"


def test_a_push_answered_410_gone_removes_the_subscription_and_falls_back_to_email(
    madrid_athlete, push_service
):
    push_service.status = 410
    subscribe(madrid_athlete, push_service)
    report = send_due_reminders(now=DUE)
    assert len(push_service.received) == 1
    assert not PushSubscription.objects.filter(user=madrid_athlete.user).exists()
    assert report["email"] == 1
    assert len(mail.outbox) == 1
    assert reminder(madrid_athlete).last_channel == "email"


def test_a_push_failing_otherwise_keeps_the_subscription_and_falls_back_to_email(
    madrid_athlete, push_service
):
    push_service.status = 500
    subscribe(madrid_athlete, push_service)
    send_due_reminders(now=DUE)
    assert PushSubscription.objects.filter(user=madrid_athlete.user).count() == 1
    assert len(mail.outbox) == 1


def test_one_phone_taking_the_push_is_enough(madrid_athlete, push_service):
    subscribe(madrid_athlete, push_service, "old-phone")
    subscribe(madrid_athlete, push_service, "new-phone")
    push_service.status = 201
    send_due_reminders(now=DUE)
    assert len(push_service.received) == 2
    assert mail.outbox == []
