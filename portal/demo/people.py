"""The clubs and their people: the two teams, their staff and the athletes' logins, the
athletes with their pre-injury baselines and their injuries.

No service writes these rows (staff set teams, memberships and baselines up in the admin; the
API's serializers save athletes and injuries as given), so the demo writes them itself; the
pending invitation goes through athletes.invitations like any other.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from athletes.invitations import create_invitation
from athletes.models import Athlete, Baseline, Injury, Membership, Role, Team

from .squad import (
    BASELINES,
    BILATERAL,
    HISTORY_DAYS,
    STAFF,
    STAFF_ADMIN,
    TEAM_ADMINS,
    TEAMS,
    Scenario,
)

PASSWORD = "sprintback"

User = get_user_model()


def teams() -> dict[str, Team]:
    # Direct rows: teams and memberships are made by staff in the admin; no service writes them.
    return {slug: Team.objects.create(name=name, slug=slug) for slug, name in TEAMS.items()}


def password_hash() -> str:
    """PASSWORD hashed once for every demo login (the hasher is slow on purpose)."""
    return make_password(PASSWORD)


def user(username: str, first: str, last: str, password: str):
    return User.objects.create(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@sprintback.example",
        password=password,
    )


def staff(teams: dict[str, Team], password: str) -> dict[tuple[str, str], object]:
    """The staff logins, keyed by (team slug, role)."""
    people = {}
    for username, first, last, slug, role in STAFF:
        person = user(username, first, last, password)
        Membership.objects.create(user=person, team=teams[slug], role=role)
        people[slug, role] = person
    by_username = {p.username: p for p in people.values()}
    for username, slug in TEAM_ADMINS:
        Membership.objects.create(user=by_username[username], team=teams[slug], role=Role.ADMIN)
    return people


def staff_admin(password: str):
    """The install's staff admin: every team in the Django admin, no team of their own."""
    username, first, last = STAFF_ADMIN
    person = user(username, first, last, password)
    person.is_staff = person.is_superuser = True
    person.save(update_fields=["is_staff", "is_superuser"])
    return person


def pending_invitation(team: Team, coach) -> None:
    """One athlete of the squad who has no login yet, invited by the coach (not accepted)."""
    athlete = team.athletes.filter(user=None).order_by("last_name", "first_name").first()
    if athlete is not None:
        create_invitation(by=coach, team=team, role=Role.ATHLETE, athlete=athlete)


def athlete(team: Team, s: Scenario, rng, today: date, password: str) -> Athlete:
    login = None
    if s.username:
        login = user(s.username, s.first, s.last, password)
        Membership.objects.create(user=login, team=team, role=Role.ATHLETE)
    # Direct row: the athletes API's serializer saves an athlete as given; there is no service.
    return Athlete.objects.create(
        team=team,
        user=login,
        first_name=s.first,
        last_name=s.last,
        sex=s.sex,
        events=rng.choice(["100 m", "100 m, 200 m", "200 m", "60 m, 100 m", "400 m"]),
        date_of_birth=date(
            today.year - rng.randint(18, 29), rng.randint(1, 12), rng.randint(1, 28)
        ),
    )


def baselines(athlete: Athlete, rng, metrics, today: date) -> float:
    """Pre-injury values a month before the logs begin, scaled for this athlete by a small
    factor (returned: the logs scale the same way)."""
    scale = rng.uniform(0.95, 1.05)
    measured_on = today - timedelta(days=HISTORY_DAYS + 30)
    for code, value in BASELINES.items():
        v = value * (scale if metrics[code].direction == "higher" else 2 - scale)
        for side in ("left", "right") if code in BILATERAL else ("",):
            # Direct row: baselines are entered by staff in the admin; no service writes them.
            Baseline.objects.create(
                athlete=athlete,
                metric=metrics[code],
                side=side,
                value=round(v, 2),
                measured_on=measured_on,
            )
    return scale


def injury(athlete: Athlete, s: Scenario, assessed_on: date) -> Injury:
    """A strain in high-speed running two days before the assessment."""
    # Direct row: the injuries API's serializer saves an injury as given; there is no service.
    return Injury.objects.create(
        athlete=athlete,
        muscle_group=s.group,
        muscle=s.muscle,
        side=s.side,
        grade=s.grade,
        occurred_on=assessed_on - timedelta(days=2),
        mechanism=Injury.Mechanism.HIGH_SPEED_RUNNING,
        is_recurrence=s.last == "Rossi",
    )
