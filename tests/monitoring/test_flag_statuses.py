"""Which flags are unresolved has one definition (monitoring.models): open and acknowledged."""

import pytest
from django.utils import timezone

from monitoring.models import Flag, FlagKind, FlagStatus
from tests.factories import AthleteFactory, FlagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_open_and_acknowledged_flags_are_unresolved_and_resolved_ones_are_not():
    athlete, by, now = AthleteFactory(), UserFactory(), timezone.now()
    open_ = FlagFactory(athlete=athlete, kind=FlagKind.PAIN_PERSISTING)
    acknowledged = FlagFactory(
        athlete=athlete,
        kind=FlagKind.MISSED_CHECKINS,
        status=FlagStatus.ACKNOWLEDGED,
        acknowledged_by=by,
        acknowledged_at=now,
    )
    resolved = FlagFactory(
        athlete=athlete,
        kind=FlagKind.METRIC_REGRESSION,
        status=FlagStatus.RESOLVED,
        resolved_by=by,
        resolved_at=now,
    )

    assert set(Flag.objects.unresolved()) == {open_, acknowledged}
    assert set(athlete.flags.unresolved()) == {open_, acknowledged}
    assert [f.is_unresolved for f in (open_, acknowledged, resolved)] == [True, True, False]
