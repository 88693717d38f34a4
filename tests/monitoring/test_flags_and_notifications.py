import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from athletes.models import Role
from monitoring import notify, rules
from monitoring.models import Flag, Notification
from monitoring.services import FlagTransitionError, acknowledge_flag, record_checkin, resolve_flag
from rehab import scan
from tests.concurrency import race
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    FlagFactory,
    TeamFactory,
    staff,
    start_plan,
)

NOW = dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC)


def painful_athlete(team=None):
    athlete = AthleteFactory(**({"team": team} if team else {}))
    plan = start_plan(athlete, phase_order=2, entered_days_ago=1)
    plan.started_at = NOW - dt.timedelta(days=20)
    plan.save()
    for hours in (60, 30, 1):
        CheckInFactory(athlete=athlete, taken_at=NOW - dt.timedelta(hours=hours), pain_activity=5)
    return athlete


@pytest.mark.django_db
def test_coaches_and_clinicians_of_the_team_get_one_notification_and_one_email_each():
    team = TeamFactory()
    coach = staff(team, Role.COACH)
    clinician = staff(team, Role.CLINICIAN)
    outsider = staff(TeamFactory(), Role.COACH)
    athlete = painful_athlete(team)
    scan.scan_all(now=NOW)
    scan.scan_all(now=NOW + dt.timedelta(minutes=15))
    flag = Flag.objects.get(athlete=athlete)
    assert flag.notified_at == NOW
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {coach.pk, clinician.pk}
    assert outsider.pk not in recipients
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coach.email, clinician.email])
    assert "Pain above threshold" in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_flag_left_unnotified_by_a_killed_worker_is_notified_by_the_next_run():
    team = TeamFactory()
    staff(team)
    athlete = AthleteFactory(team=team)
    FlagFactory(athlete=athlete, opened_at=NOW)  # created, never notified
    notify.notify_pending(NOW)
    notify.notify_pending(NOW)
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_email_is_retried_and_then_sent_once(monkeypatch):
    team = TeamFactory()
    staff(team)
    FlagFactory(athlete=AthleteFactory(team=team), opened_at=NOW)
    calls = {"n": 0}
    real_send = notify.send_mail

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("smtp down")
        return real_send(**kwargs)

    monkeypatch.setattr(notify, "send_mail", flaky)
    notify.notify_pending(NOW)
    assert len(mail.outbox) == 0 and Notification.objects.get().emailed_at is None
    notify.notify_pending(NOW)
    notify.notify_pending(NOW)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_one_athlete_failing_does_not_stop_the_scan(monkeypatch, caplog):
    good, bad = painful_athlete(), painful_athlete()
    real = rules.pain_persisting

    def explode_for_bad(reports, **kwargs):
        if any(r.id in set(bad.checkins.values_list("id", flat=True)) for r in reports):
            raise ValueError("corrupt data")
        return real(reports, **kwargs)

    monkeypatch.setattr(rules, "pain_persisting", explode_for_bad)
    report = scan.scan_all(now=NOW)
    assert report.failures == 1 and report.failed_athletes == [bad.pk]
    assert Flag.objects.filter(athlete=good).exists()
    assert not Flag.objects.filter(athlete=bad).exists()
    assert f"athlete {bad.pk} failed" in caplog.text


@pytest.mark.django_db
def test_flag_lifecycle_open_acknowledged_resolved():
    flag = FlagFactory()
    coach = staff(flag.athlete.team)
    acknowledge_flag(flag, by=coach, note="Called her.", now=NOW)
    assert (flag.status, flag.acknowledged_by, flag.acknowledged_at) == ("acknowledged", coach, NOW)
    with pytest.raises(FlagTransitionError):
        acknowledge_flag(flag, by=coach)
    with pytest.raises(ValidationError) as error:
        resolve_flag(flag, by=coach, note="  ")
    assert "note" in error.value.message_dict
    resolve_flag(flag, by=coach, note="Back to phase 1 for a week.", now=NOW)
    assert flag.status == "resolved" and flag.resolved_note == "Back to phase 1 for a week."
    with pytest.raises(FlagTransitionError):
        resolve_flag(flag, by=coach, note="again")


@pytest.mark.django_db
def test_resolving_an_open_flag_records_who_saw_it():
    flag = FlagFactory()
    coach = staff(flag.athlete.team)
    resolve_flag(flag, by=coach, note="Seen at training, fine.", now=NOW)
    assert flag.acknowledged_by == coach and flag.acknowledged_at == NOW


@pytest.mark.django_db
def test_a_new_checkin_evaluates_the_athlete_after_commit(django_capture_on_commit_callbacks):
    athlete = AthleteFactory()
    plan = start_plan(athlete, phase_order=1)
    plan.started_at = timezone.now() - dt.timedelta(days=10)
    plan.save()
    now = timezone.now()
    for hours in (70, 40):
        CheckInFactory(athlete=athlete, taken_at=now - dt.timedelta(hours=hours), pain_activity=5)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_checkin(
            athlete, by=None, values={"pain_rest": 1, "pain_activity": 5, "pain_morning": 4}
        )
    assert len(callbacks) == 1
    assert Flag.objects.filter(athlete=athlete, kind="pain_persisting").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_scans_yield_one_flag_and_one_email_per_person():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    team = TeamFactory()
    staff(team, Role.COACH)
    staff(team, Role.CLINICIAN)
    painful_athlete(team)
    outcomes = race(lambda: scan.scan_all(now=NOW), count=4)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    assert Flag.objects.count() == 1
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
