"""A team admin archives athletes who left, and restores them, from the People page
(PRODUCT.md §1), without seeing their data; nobody else's athletes, no active plan."""

import pytest
from django.urls import reverse

from athletes.models import AuditAction, AuditEvent, Role
from tests.factories import staff, start_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return staff(world.team, Role.ADMIN, username="teamadmin")


def archive(client, athlete, archived=True):
    body = {"archived": "on"} if archived else {}
    return client.post(reverse("people:athlete-archive", args=[athlete.pk]), body, follow=True)


def test_the_people_page_lists_the_teams_athletes_for_its_admin(client, world, admin):
    client.force_login(admin)
    html = client.get(reverse("people:list")).content.decode()
    assert "Maya Okafor" in html and "Archive Maya Okafor" in html
    assert world.other_team.athletes.first().full_name not in html
    # No data beyond the name: the admin still cannot open the athlete's page.
    assert client.get(reverse("coach:athlete", args=[world.athlete.pk])).status_code in (403, 404)


def test_a_team_admin_archives_and_restores_an_athlete(client, world, admin):
    client.force_login(admin)
    response = archive(client, world.athlete)
    assert "Maya Okafor archived" in response.content.decode()
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is not None and world.athlete.archived_by == admin
    assert AuditEvent.objects.filter(action=AuditAction.ATHLETE_ARCHIVE, role=Role.ADMIN).exists()
    assert "Restore Maya Okafor" in response.content.decode()

    response = archive(client, world.athlete, archived=False)
    assert "Maya Okafor restored" in response.content.decode()
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None


def test_an_athlete_in_an_active_plan_is_not_archived(client, world, admin):
    start_plan(world.athlete, 1)
    client.force_login(admin)
    response = archive(client, world.athlete)
    assert "active plan" in response.content.decode()
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None


def test_another_teams_athlete_is_not_found(client, world, admin):
    client.force_login(admin)
    stranger = world.other_team.athletes.first()
    assert archive(client, stranger).status_code == 404
    stranger.refresh_from_db()
    assert stranger.archived_at is None


@pytest.mark.parametrize("who", ["coach", "clinician", "outsider_coach"])
def test_only_a_team_admin_archives_from_the_people_page(client, world, who):
    # A coach archives on the athlete's own page; here the athletes are the admin's list.
    user = getattr(world, who)
    client.force_login(user)
    response = client.post(
        reverse("people:athlete-archive", args=[world.athlete.pk]), {"archived": "on"}
    )
    assert response.status_code in (403, 404)
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None


def test_an_athlete_cannot_reach_it(client, world):
    client.force_login(world.athlete.user)
    response = client.post(
        reverse("people:athlete-archive", args=[world.athlete.pk]), {"archived": "on"}
    )
    assert response.status_code in (302, 403, 404)
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None
