"""When things happen: the clock every demo row is dated by, and each athlete's path through
the phases.

Dates are relative to today and never in the future. A path gives the day each phase was
entered and the day the coach acted to leave it, spaced so that every phase lasts at least the
minimum its gate asks for ("at least n days in this phase"): the real services refuse an
advance before that, and the demo advances only when every gate is met.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .squad import Scenario

# A phase still in progress: the days over which its tests reach the values that leave it.
NOMINAL_PHASE_DAYS = 12


@dataclass(frozen=True)
class Clock:
    today: date
    now: datetime

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def taken(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A time on `day`, but never in the future (today's entries are capped at now)."""
        return min(
            self.at(day, hour, minute), max(self.now - timedelta(minutes=5), self.at(day, 0))
        )

    def days_ago(self, day: date) -> int:
        return (self.today - day).days


@dataclass(frozen=True)
class Path:
    """An athlete's phases: `entered[i]` is the day phase i began (entered[0]: the plan's
    start), `left[i]` the day the coach acted to leave phase i (every phase before the current
    one). Leaving for the return to play is asked the afternoon before the clinician's
    decision; every other move is made on the day the next phase begins."""

    entered: list[date]
    left: list[date]
    ready: bool  # the current phase's gates are all met already

    @property
    def current(self) -> int:
        return len(self.entered) - 1

    def phase_on(self, day: date) -> int:
        """The phase of the day's training (the day a phase begins belongs to it)."""
        return max(i for i, entered in enumerate(self.entered) if entered <= day)

    def progress(self, day: date) -> float:
        """How far into its phase `day` is, 0 to 1: 1 on the day before the coach acts (the
        tests that let the athlete leave), or throughout for an athlete who is ready."""
        phase = self.phase_on(day)
        if phase == self.current and self.ready:
            return 1.0
        start = self.entered[phase]
        if phase < self.current:
            end = self.left[phase] - timedelta(days=1)
        else:
            end = start + timedelta(days=NOMINAL_PHASE_DAYS)
        return min(1.0, max(0.0, (day - start).days / max(1, (end - start).days)))


def path_for(s: Scenario, clock: Clock, min_days: dict[int, int], last_order: int) -> Path:
    """The path of an injured athlete: the plan began `plan_days` ago and the current phase
    `days_in_phase` ago; the phases between share the spare days evenly."""
    start = clock.today - timedelta(days=s.plan_days)
    current = clock.today - timedelta(days=s.days_in_phase)
    # The request for the return to play comes the day before the clinician's decision.
    lead = [1 if order + 1 == last_order else 0 for order in range(s.phase)]
    # Acting on day n of a phase (its first day is day 1) is n - 1 days after it began.
    need = [min_days.get(order, 1) - 1 + lead[order] for order in range(s.phase)]
    spare = (current - start).days - sum(need)
    if spare < 0:
        raise ValueError(
            f"{s.first} {s.last}: {s.plan_days - s.days_in_phase} days before phase {s.phase} "
            f"cannot hold the gated minimum of the phases before it ({sum(need)} days)."
        )
    entered = [start]
    for order in range(s.phase):
        extra = spare * (order + 1) // s.phase - spare * order // s.phase
        entered.append(entered[-1] + timedelta(days=need[order] + extra))
    left = [entered[order + 1] - timedelta(days=lead[order]) for order in range(s.phase)]
    return Path(entered=entered, left=left, ready="ready" in s.story or "cleared" in s.story)
