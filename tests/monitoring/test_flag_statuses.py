"""Which flags are unresolved has one definition (monitoring.models): open and acknowledged."""

import pytest
from django.utils import timezone

from monitoring.models import Flag, FlagKind, FlagStatus
from tests.factories import AthleteFactory, FlagFactory

pytestmark = pytest.mark.django_db


def test_open_and_acknowledged_flags_are_unresolved_and_resolved_ones_are_not():
    athlete, now = AthleteFactory(), timezone.now()
    # One kind per status: an athlete has at most one unresolved flag of a kind.
    flags = {
        status: FlagFactory(
            athlete=athlete, kind=kind, status=status, acknowledged_at=now, resolved_at=now
        )
        for status, kind in zip(
            FlagStatus.values, FlagKind.values[: len(FlagStatus.values)], strict=True
        )
    }
    unresolved = {flags[FlagStatus.OPEN], flags[FlagStatus.ACKNOWLEDGED]}

    assert set(Flag.objects.unresolved()) == unresolved
    assert set(athlete.flags.unresolved()) == unresolved
    assert {f for f in flags.values() if f.is_unresolved} == unresolved
