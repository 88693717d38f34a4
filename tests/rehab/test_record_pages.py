"""The athlete records in the coach workspace: add, edit, archive and restore an athlete;
record, edit and close injuries; the baselines table. Owner coach allowed, the athlete and a
teammate refused, another team's coach refused (404), bad input refused at its field."""

import datetime as dt

import pytest
from django.utils import timezone

from athletes.models import Athlete, Baseline, Injury
from monitoring.models import MetricKind
from rehab.selectors.roster import roster
from tests.factories import InjuryFactory, start_plan

pytestmark = pytest.mark.django_db


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def signed_in(client, user):
    client.force_login(user)
    return client


ATHLETE = {
    "first_name": "Lena",
    "last_name": "Ford",
    "date_of_birth": "2001-04-02",
    "sex": "F",
    "events": "200 m",
    "dominant_leg": "right",
}


def test_a_coach_adds_an_athlete_to_a_team_they_coach(client, world):
    signed_in(client, world.coach)
    assert client.get("/coach/athletes/new/").status_code == 200
    response = client.post("/coach/athletes/new/", {**ATHLETE, "team": world.team.pk})
    assert response.status_code == 302
    lena = Athlete.objects.get(last_name="Ford")
    assert lena.team == world.team and lena.dominant_leg == "right"
    assert "Add athlete" in client.get("/coach/").content.decode()


def test_an_athlete_cannot_be_added_to_another_team_or_born_tomorrow(client, world):
    signed_in(client, world.coach)
    other = client.post("/coach/athletes/new/", {**ATHLETE, "team": world.other_team.pk})
    assert other.status_code == 400 and "team" in other.context["form"].errors
    future = client.post(
        "/coach/athletes/new/", {**ATHLETE, "team": world.team.pk, "date_of_birth": tomorrow()}
    )
    assert future.status_code == 400 and "date_of_birth" in future.context["form"].errors
    assert not Athlete.objects.filter(last_name="Ford").exists()


@pytest.mark.parametrize("who", ["athlete", "clinician"])
def test_the_athlete_and_a_clinician_cannot_add_athletes(client, world, who):
    user = world.athlete.user if who == "athlete" else world.clinician
    signed_in(client, user)
    assert client.get("/coach/athletes/new/").status_code == 403
    response = client.post("/coach/athletes/new/", {**ATHLETE, "team": world.team.pk})
    assert response.status_code == 403
    assert not Athlete.objects.filter(last_name="Ford").exists()


def test_a_coach_edits_an_athlete_and_an_outsider_cannot_even_see_the_page(client, world):
    url = f"/coach/athletes/{world.athlete.pk}/edit/"
    signed_in(client, world.outsider_coach)
    assert client.get(url).status_code == 404
    assert client.post(url, {**ATHLETE, "team": world.team.pk}).status_code == 404
    signed_in(client, world.teammate.user)
    assert client.get(url).status_code == 403
    signed_in(client, world.coach)
    response = client.post(url, {**ATHLETE, "first_name": "Maya", "team": world.team.pk})
    assert response.status_code == 302
    world.athlete.refresh_from_db()
    assert world.athlete.events == "200 m" and world.athlete.last_name == "Ford"


def test_an_archived_athlete_leaves_the_roster_and_can_be_restored(client, world):
    signed_in(client, world.coach)
    archive = f"/coach/athletes/{world.athlete.pk}/archive/"
    assert client.post(archive, {"archived": "on"}).status_code == 302
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is not None and world.athlete.archived_by == world.coach
    assert world.athlete.pk not in {r.athlete.pk for r in roster(world.coach)}
    client.get("/coach/")  # the success message is read
    assert (
        f'href="/coach/athletes/{world.athlete.pk}/"' not in client.get("/coach/").content.decode()
    )
    assert "Maya Okafor" in client.get("/coach/athletes/archived/").content.decode()
    # The page and the data stay.
    assert client.get(f"/coach/athletes/{world.athlete.pk}/").status_code == 200
    assert client.post(archive, {}).status_code == 302
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None
    assert world.athlete.pk in {r.athlete.pk for r in roster(world.coach)}


def test_only_the_teams_coach_archives(client, world):
    archive = f"/coach/athletes/{world.athlete.pk}/archive/"
    signed_in(client, world.outsider_coach)
    assert client.post(archive, {"archived": "on"}).status_code == 404
    signed_in(client, world.clinician)
    assert client.post(archive, {"archived": "on"}).status_code == 403
    signed_in(client, world.athlete.user)
    assert client.post(archive, {"archived": "on"}).status_code == 403
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None
    signed_in(client, world.outsider_coach)
    assert "Maya" not in client.get("/coach/athletes/archived/").content.decode()


INJURY = {
    "muscle_group": "hamstring",
    "muscle": "bf_lh",
    "side": "left",
    "grade": "2",
    "bamic_class": "b",
    "occurred_on": "2026-01-10",
    "mechanism": "high_speed_running",
    "is_recurrence": "on",
    "notes": "Felt it at 60 m.",
}


def test_a_coach_records_several_injuries_and_edits_one(client, world):
    signed_in(client, world.coach)
    url = f"/coach/athletes/{world.athlete.pk}/injuries/new/"
    assert client.get(url).status_code == 200
    assert client.post(url, INJURY).status_code == 302
    assert (
        client.post(
            url, {**INJURY, "occurred_on": "2026-03-01", "muscle_group": "calf", "muscle": "soleus"}
        ).status_code
        == 302
    )
    first, second = Injury.objects.filter(athlete=world.athlete).order_by("occurred_on")
    assert (first.grade, first.bamic_class, first.is_recurrence) == (2, "b", True)
    assert second.muscle == "soleus"
    edit = f"/coach/athletes/{world.athlete.pk}/injuries/{first.pk}/edit/"
    assert client.post(edit, {**INJURY, "grade": "3", "bamic_class": "c"}).status_code == 302
    first.refresh_from_db()
    assert first.grade_label == "3c"
    page = client.get(f"/coach/athletes/{world.athlete.pk}/").content.decode()
    assert "3c" in page and "Soleus" in page


@pytest.mark.parametrize(
    "change, field",
    [
        ({"occurred_on": "2099-01-01"}, "occurred_on"),
        ({"grade": "5"}, "grade"),
        ({"grade": "0", "bamic_class": "a"}, "bamic_class"),
        ({"muscle": "soleus"}, "muscle"),
        ({"side": "middle"}, "side"),
    ],
)
def test_a_wrong_injury_field_is_refused_at_the_field(client, world, change, field):
    signed_in(client, world.coach)
    response = client.post(
        f"/coach/athletes/{world.athlete.pk}/injuries/new/", {**INJURY, **change}
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Injury.objects.exists()


def test_injury_pages_are_for_the_athletes_staff_only(client, world):
    injury = InjuryFactory(athlete=world.athlete)
    urls = [
        f"/coach/athletes/{world.athlete.pk}/injuries/new/",
        f"/coach/athletes/{world.athlete.pk}/injuries/{injury.pk}/edit/",
    ]
    signed_in(client, world.outsider_coach)
    for url in urls:
        assert client.get(url).status_code == 404
    # Another athlete's injury under this athlete's address.
    mate = InjuryFactory(athlete=world.teammate)
    signed_in(client, world.coach)
    assert (
        client.get(f"/coach/athletes/{world.athlete.pk}/injuries/{mate.pk}/edit/").status_code
        == 404
    )
    signed_in(client, world.athlete.user)
    for url in urls:
        assert client.get(url).status_code == 403
    close = f"/coach/athletes/{world.athlete.pk}/injuries/{injury.pk}/close/"
    assert client.post(close, {"closed_on": timezone.localdate().isoformat()}).status_code == 403
    injury.refresh_from_db()
    assert injury.closed_on is None


def test_closing_an_injury_refuses_a_future_date(client, world):
    injury = InjuryFactory(athlete=world.athlete)
    signed_in(client, world.coach)
    close = f"/coach/athletes/{world.athlete.pk}/injuries/{injury.pk}/close/"
    refused = client.post(close, {"closed_on": tomorrow()})
    assert refused.status_code == 400 and "closed_on" in refused.context["close_form"].errors
    assert client.post(close, {"closed_on": timezone.localdate().isoformat()}).status_code == 302
    injury.refresh_from_db()
    assert injury.closed_on == timezone.localdate()


def _cell(code, side=""):
    return f"{code}.{side or 'none'}"


def test_the_baselines_table_follows_the_registry_and_saves_all_or_nothing(client, world):
    bilateral = MetricKind.objects.filter(bilateral=True, value_type="number").first()
    single = MetricKind.objects.filter(bilateral=False, value_type="number").first()
    signed_in(client, world.coach)
    url = f"/coach/athletes/{world.athlete.pk}/baselines/"
    page = client.get(url).content.decode()
    assert f'name="{_cell(bilateral.code, "left")}.value"' in page
    assert f'name="{_cell(bilateral.code, "right")}.value"' in page
    assert f'name="{_cell(single.code)}.value"' in page
    assert f'name="{_cell(single.code, "left")}.value"' not in page
    day = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    good = {
        f"{_cell(bilateral.code, 'left')}.value": str(bilateral.min_value),
        f"{_cell(bilateral.code, 'left')}.measured_on": day,
        f"{_cell(bilateral.code, 'left')}.source": "force plate",
    }
    bad = {
        **good,
        f"{_cell(single.code)}.value": str(single.max_value * 10 + 1),
        f"{_cell(single.code)}.measured_on": day,
        f"{_cell(bilateral.code, 'right')}.value": str(bilateral.min_value),
        f"{_cell(bilateral.code, 'right')}.measured_on": tomorrow(),
    }
    refused = client.post(url, bad)
    assert refused.status_code == 400
    assert set(refused.context["errors"]) == {
        f"{_cell(single.code)}.value",
        f"{_cell(bilateral.code, 'right')}.measured_on",
    }
    assert "not a plausible value" in refused.content.decode()
    assert not Baseline.objects.exists()
    assert client.post(url, good).status_code == 302
    saved = Baseline.objects.get()
    assert (saved.metric, saved.side, saved.source) == (bilateral, "left", "force plate")
    # Emptying a cell removes its baseline.
    assert client.post(url, {}).status_code == 302
    assert not Baseline.objects.exists()


def test_baselines_are_for_the_athletes_staff_only(client, world):
    url = f"/coach/athletes/{world.athlete.pk}/baselines/"
    signed_in(client, world.outsider_coach)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    signed_in(client, world.teammate.user)
    assert client.get(url).status_code == 403
    signed_in(client, world.clinician)
    assert client.get(url).status_code == 200


def test_an_athlete_in_an_active_plan_is_not_archived(client, world):
    start_plan(world.athlete, 1)
    signed_in(client, world.coach)
    response = client.post(f"/coach/athletes/{world.athlete.pk}/archive/", {"archived": "on"})
    assert response.status_code == 302
    world.athlete.refresh_from_db()
    assert world.athlete.archived_at is None
    page = client.get(response.url).content.decode()
    assert "active plan" in page
