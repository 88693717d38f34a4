"""The roster says why: each flag's kind, one-line summary and how long it has been open; the
columns sort (?sort=, ?dir=), kept in the URL with the filters and the pager, with htmx or
without; a bad sort is ignored."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from athletes.models import Role
from monitoring.models import FlagKind
from rehab.selectors import roster
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    FlagFactory,
    TeamFactory,
    staff,
    start_plan,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
ROSTER = reverse("coach:roster")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team():
    return TeamFactory(name="Riverside")


@pytest.fixture
def coach(team):
    return staff(team, Role.COACH)


@pytest.fixture
def squad(team):
    """Four athletes: Ada (phase 3, 2 days in, checked in today), Ben (phase 1, 12 days in,
    silent 4 days, flagged for it), Cy (phase 2, 6 days, in pain 76 h, flagged) and Dee
    (no plan)."""
    ada = AthleteFactory(team=team, first_name="Ada", last_name="Adams")
    ben = AthleteFactory(team=team, first_name="Ben", last_name="Brown")
    cy = AthleteFactory(team=team, first_name="Cy", last_name="Clark")
    dee = AthleteFactory(team=team, first_name="Dee", last_name="Dunn")
    start_plan(ada, 3, entered_days_ago=2)
    start_plan(ben, 1, entered_days_ago=12)
    start_plan(cy, 2, entered_days_ago=6)
    CheckInFactory(athlete=ada, taken_at=T0 - dt.timedelta(hours=2))
    CheckInFactory(athlete=ben, taken_at=T0 - dt.timedelta(days=4, hours=1))
    CheckInFactory(athlete=cy, taken_at=T0 - dt.timedelta(hours=20), pain_rest=4)
    FlagFactory(
        athlete=ben,
        kind=FlagKind.MISSED_CHECKINS,
        opened_at=T0 - dt.timedelta(days=1, hours=1),
        evidence={
            "last_checkin_at": (T0 - dt.timedelta(days=4, hours=1)).isoformat(),
            "plan_started_at": (T0 - dt.timedelta(days=30)).isoformat(),
            "days_without_checkin": 3,
        },
    )
    FlagFactory(
        athlete=cy,
        kind=FlagKind.PAIN_PERSISTING,
        opened_at=T0 - dt.timedelta(days=2, hours=3),
        evidence={
            "rule": "persisting",
            "threshold": 3,
            "hours": 49.0,
            "first_painful_at": (T0 - dt.timedelta(hours=76)).isoformat(),
        },
    )
    FlagFactory(
        athlete=cy,
        kind=FlagKind.METRIC_REGRESSION,
        opened_at=T0 - dt.timedelta(hours=5),
        evidence={"metric_name": "30 m split", "unit": "s", "direction": "lower", "drop_pct": 8.2},
    )
    return {"ada": ada, "ben": ben, "cy": cy, "dee": dee}


def names(response) -> list[str]:
    return [row.athlete.first_name for row in response.context["page"]]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_each_flag_shows_its_kind_summary_and_how_long_it_has_been_open(client, coach, squad):
    client.force_login(coach)
    page = text(client.get(ROSTER).content.decode())
    assert "Pain above threshold pain ≥ 3/10 for 76 h open 2 days" in page
    assert "Metric regression 30 m split 8.2 % slower than the 28-day best open 5 h" in page
    assert "Missed check-ins no check-in for 4 days open 25 h" in page


def test_the_summaries_come_from_the_flags_already_read(coach, squad, django_assert_num_queries):
    rows = roster(coach)
    with django_assert_num_queries(0):
        notes = {r.athlete.first_name: [n.summary for n in r.flag_notes] for r in rows}
    assert notes["Cy"] == ["30 m split 8.2 % slower than the 28-day best", "pain ≥ 3/10 for 76 h"]


def test_the_default_order_is_still_who_needs_attention_first(client, coach, squad):
    client.force_login(coach)
    response = client.get(ROSTER)
    assert names(response)[:2] == ["Ben", "Cy"]  # flagged first, then by name
    assert "who needs attention first" in text(response.content.decode())


@pytest.mark.parametrize(
    "sort, ascending, descending",
    [
        ("name", ["Ada", "Ben", "Cy", "Dee"], ["Dee", "Cy", "Ben", "Ada"]),
        ("phase", ["Ben", "Cy", "Ada", "Dee"], ["Ada", "Cy", "Ben", "Dee"]),
        ("days", ["Ada", "Cy", "Ben", "Dee"], ["Ben", "Cy", "Ada", "Dee"]),
        ("checkin", ["Ben", "Cy", "Ada", "Dee"], ["Ada", "Cy", "Ben", "Dee"]),
        ("flags", ["Ben", "Cy", "Ada", "Dee"], ["Cy", "Ben", "Ada", "Dee"]),
    ],
)
def test_each_column_sorts_both_ways_with_empty_values_last(
    client, coach, squad, sort, ascending, descending
):
    client.force_login(coach)
    assert names(client.get(ROSTER, {"sort": sort, "dir": "asc"})) == ascending
    assert names(client.get(ROSTER, {"sort": sort, "dir": "desc"})) == descending


def test_sorting_by_gates_puts_the_most_met_first_when_descending(client, coach, squad):
    client.force_login(coach)
    rows = client.get(ROSTER, {"sort": "gates", "dir": "desc"}).context["page"]
    shares = [r.gates["met"] / r.gates["total"] for r in rows if r.gates and r.gates["total"]]
    assert shares == sorted(shares, reverse=True)
    assert rows[len(rows) - 1].athlete.first_name == "Dee"


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "nope"},
        {"sort": "name", "dir": "sideways"},
        {"sort": "'; DROP TABLE x"},
        {"sort": "x" * 5000, "dir": "\x00"},
        {"sort": ["name", "flags"], "dir": ["asc", "desc"]},
    ],
)
def test_a_bad_sort_is_ignored_never_an_error(client, coach, squad, params):
    client.force_login(coach)
    response = client.get(ROSTER, params)
    assert response.status_code == 200
    if params["sort"] == "name":  # a valid column with a bad direction: ascending
        assert names(response) == ["Ada", "Ben", "Cy", "Dee"]
    elif not isinstance(params["sort"], list):
        assert names(response)[:2] == ["Ben", "Cy"]


def test_sort_links_keep_the_filters_and_turn_the_direction_round(client, coach, team, squad):
    client.force_login(coach)
    html = client.get(ROSTER, {"team": team.pk, "q": "a", "page": "1", "sort": "name"}).content
    links = {
        parse_qs(urlsplit(href.replace("&amp;", "&")).query).get("sort", [""])[0]: parse_qs(
            urlsplit(href.replace("&amp;", "&")).query
        )
        for href in re.findall(r'class="sort" href="([^"]+)"', html.decode())
    }
    assert set(links) == {"name", "phase", "days", "checkin", "flags", "gates"}
    for query in links.values():
        assert query["team"] == [str(team.pk)] and query["q"] == ["a"]
        assert "page" not in query  # a new order starts at the first page
    assert links["name"]["dir"] == ["desc"]  # sorted by name ascending: the link turns it
    assert links["flags"]["dir"] == ["desc"] and links["phase"]["dir"] == ["asc"]
    assert 'aria-sort="ascending"' in html.decode()


def test_the_filter_form_keeps_the_order_and_the_pager_keeps_both(client, coach, team):
    for n in range(55):
        start_plan(AthleteFactory(team=team, first_name=f"A{n:02}", last_name="Zed"), 1)
    client.force_login(coach)
    response = client.get(ROSTER, {"sort": "name", "dir": "desc", "phase": "1"})
    html = response.content.decode()
    assert '<input type="hidden" name="sort" value="name" form="roster-filters">' in html
    assert '<input type="hidden" name="dir" value="desc" form="roster-filters">' in html
    assert 'id="roster-filters"' in html
    assert "?sort=name&amp;dir=desc&amp;phase=1&page=2" in html
    second = client.get(ROSTER, {"sort": "name", "dir": "desc", "phase": "1", "page": "2"})
    assert names(second) == [f"A{n:02}" for n in range(4, -1, -1)]


def test_sorting_over_htmx_returns_only_the_table(client, coach, squad):
    client.force_login(coach)
    response = client.get(ROSTER, {"sort": "name"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="roster-table">')
    assert 'hx-get="?sort=name&amp;dir=desc"' in html
    assert names(response) == ["Ada", "Ben", "Cy", "Dee"]
    assert "sorted by name, ascending" in text(html)


def test_a_sorted_roster_reads_no_more_than_the_default(
    client, coach, squad, django_assert_max_num_queries
):
    client.force_login(coach)
    client.get(ROSTER)  # warm: the gate descriptions are remembered per process
    # 22: the roster's bound (test_roster), the check-in rates' grouped count among them.
    with django_assert_max_num_queries(25) as default:
        client.get(ROSTER)
    with django_assert_max_num_queries(25) as sorted_:
        client.get(ROSTER, {"sort": "checkin", "dir": "desc"})
    assert len(sorted_.captured_queries) == len(default.captured_queries)


def test_an_unknown_time_in_a_flag_still_renders(client, coach, team):
    athlete = AthleteFactory(team=team)
    start_plan(athlete, 1)
    FlagFactory(athlete=athlete, evidence={"first_painful_at": "garbage"}, opened_at=timezone.now())
    client.force_login(coach)
    assert "pain ≥ 3/10" in text(client.get(ROSTER).content.decode())
