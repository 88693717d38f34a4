"""One athlete's eight weeks, day by day, in the order they happened: the morning check-in,
the coach's and the clinician's decisions of the day, the training, the tests, recovery work.

Writing in that order is what lets the real services judge each decision on the evidence of
its moment: the gate engine and the sign-off snapshot see the logs up to then, no later ones.
"""

from dataclasses import dataclass
from datetime import timedelta

from athletes.models import Role
from rehab.models import GateKind, Protocol

from . import logs, people, plans, return_to_play, warning_signs
from .squad import HISTORY_DAYS, Scenario
from .timeline import Clock, path_for

# A random day without a check-in, but never in the week before a phase decision (the gates
# read the check-ins around the last sessions) nor for an athlete whose gates are all met.
MISSED_DAY_CHANCE = 0.08
DILIGENT_DAYS = 7


@dataclass
class Squad:
    """What every athlete's weeks share: the clock, the seeded RNG, the metrics and protocols,
    each team's staff, and the demo password's hash."""

    clock: Clock
    rng: object
    metrics: dict
    staff: dict
    password: str

    def __post_init__(self):
        self.protocols = {
            p.muscle_group: p
            for p in Protocol.objects.filter(team=None, is_template=True).prefetch_related(
                "phases__gates"
            )
        }

    def min_days(self, protocol) -> dict[int, int]:
        return {
            phase.order: int(gate.threshold)
            for phase in protocol.phases.all()
            for gate in phase.gates.all()
            if gate.kind == GateKind.MIN_DAYS
        }


def build(squad: Squad, team, s: Scenario) -> None:
    clock, rng = squad.clock, squad.rng
    athlete = people.athlete(team, s, rng, clock.today, squad.password)
    scale = people.baselines(athlete, rng, squad.metrics, clock.today)
    if s.group is None:
        logs.healthy_checkins(clock, rng, athlete)
        return
    weeks = _Weeks(squad, team, s, athlete, scale)
    day = clock.today - timedelta(days=HISTORY_DAYS)
    while day <= clock.today:
        weeks.live(day)
        day += timedelta(days=1)
    warning_signs.after_the_logs(s, weeks.log)


class _Weeks:
    """An injured athlete's days: the check-in, the day's decisions, training and tests."""

    def __init__(self, squad: Squad, team, s: Scenario, athlete, scale):
        self.clock, self.rng, self.s = squad.clock, squad.rng, s
        self.coach = squad.staff[team.slug, Role.COACH]
        self.clinician = squad.staff.get((team.slug, Role.CLINICIAN))
        self.protocol = squad.protocols[s.group]
        self.last = max(phase.order for phase in self.protocol.phases.all())
        self.path = path_for(s, self.clock, squad.min_days(self.protocol), self.last)
        self.injury = people.injury(athlete, s, self.path.entered[0])
        self.log = logs.Logs(
            self.clock, self.rng, squad.metrics, athlete, s, self.path, scale, coach=self.coach
        )
        self.leaving = {day: order for order, day in enumerate(self.path.left)}
        self.watched = {
            day - timedelta(days=n) for day in self.path.left for n in range(DILIGENT_DAYS + 1)
        }
        self.plan = self.rtp_request = None

    def live(self, day) -> None:
        days_ago = self.clock.days_ago(day)
        checks_in = not warning_signs.skips_checkin(self.s, days_ago) and not (
            days_ago > 2
            and day not in self.watched
            and "ready" not in self.s.story
            and self.rng.random() < MISSED_DAY_CHANCE
        )
        if checks_in:
            self.log.checkin(day, warning_signs.pains(self.s, days_ago))
        self.decide(day, days_ago)
        if self.log.in_plan(day):
            self.log.session(day)
            self.log.tests(day)
        if checks_in:
            self.log.recovery(day)

    def decide(self, day, days_ago: int) -> None:
        """The plan's start, the coach's advances, the return to play asked and approved."""
        clock, coach = self.clock, self.coach
        if day == self.path.entered[0]:
            self.plan = plans.start(self.injury, self.protocol, coach=coach, clock=clock, day=day)
        if day in self.leaving and self.leaving[day] + 1 == self.last:
            self.rtp_request = return_to_play.ask_to_clear(
                self.plan, coach=coach, clock=clock, day=day
            )
        elif day in self.leaving:
            plans.advance(self.plan, coach=coach, clinician=self.clinician, clock=clock, day=day)
        if self.rtp_request is not None and day == self.path.entered[self.last]:
            return_to_play.approve(self.rtp_request, clinician=self.clinician, clock=clock, day=day)
        if "requested" in self.s.story and days_ago == 1:
            return_to_play.ask_yesterday(self.plan, coach=coach, clock=clock)
