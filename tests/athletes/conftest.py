import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from athletes.models import Role
from tests.factories import TeamFactory, staff
from tests.world import named


@pytest.fixture(autouse=True)
def fresh_throttles():
    # The token endpoint's throttle counts in the cache; keep it out of these tests.
    cache.clear()


@pytest.fixture
def clock():
    """Frozen time (authenticator codes change every 30 s); shift() to move on."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def strict_team():
    return TeamFactory(require_staff_2fa=True)


@pytest.fixture
def coach(world):
    """The world's coach, under the username and name these tests type and read."""
    return named(world.coach, "coachy", first_name="Sam", last_name="Carter")


@pytest.fixture
def strict_coach(strict_team):
    return staff(strict_team, Role.COACH, username="strictcoach")
