"""core.db.insert_unless_exists: one INSERT … ON CONFLICT DO NOTHING, on PostgreSQL and SQLite."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.db import insert_unless_exists
from monitoring.models import CheckIn
from tests.factories import AthleteFactory

pytestmark = pytest.mark.django_db


def checkin(athlete, **values):
    taken_at = timezone.now() - dt.timedelta(hours=1)
    fields = {"pain_rest": 1, "pain_activity": 2, "pain_morning": 0, "sleep_hours": "7.5"}
    return CheckIn(
        athlete=athlete,
        taken_at=taken_at,
        local_date=timezone.localdate(taken_at),
        **{**fields, **values},
    )


def test_inserts_like_save_and_reports_the_row_back():
    athlete = AthleteFactory()
    new = checkin(athlete)
    assert insert_unless_exists(new) is True
    assert new.pk and not new._state.adding and new.created_at and new.updated_at
    stored = CheckIn.objects.get(pk=new.pk)
    assert (stored.athlete, stored.pain_activity, str(stored.sleep_hours)) == (athlete, 2, "7.5")
    assert stored.created_at == new.created_at


def test_a_row_the_unique_constraints_already_hold_is_skipped_and_the_transaction_goes_on():
    athlete = AthleteFactory()
    assert insert_unless_exists(checkin(athlete))
    with transaction.atomic():
        twin = checkin(athlete, pain_activity=7)  # the same athlete and day
        assert insert_unless_exists(twin) is False
        assert twin.pk is None
        assert CheckIn.objects.count() == 1  # the transaction is still usable
    assert CheckIn.objects.get().pain_activity == 2


def test_other_integrity_errors_still_raise():
    orphan = checkin(AthleteFactory())
    orphan.athlete_id = 10**9  # no such athlete
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_unless_exists(orphan)
        connection.check_constraints()  # foreign keys are deferred to the commit otherwise
