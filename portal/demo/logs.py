"""The squad's logs, written the way the product writes them: every check-in, training session,
test and piece of recovery work goes through monitoring.services (validated like a form, and
queued for evaluation like any other), dated in the past with the times the services take.
"""

from datetime import date, timedelta
from decimal import Decimal

from monitoring.models import RecoveryKind, SessionType, TrainingSession
from monitoring.services import record_checkin, record_measurement, record_recovery, record_session
from monitoring.sprint_profile import model_times
from monitoring.sprints import record_sprint_trial

from . import course
from .squad import BASELINES, Scenario
from .timeline import Clock, Path

SESSION_TYPES = {
    0: [SessionType.STRENGTH, SessionType.CROSS_TRAINING],
    1: [SessionType.TECHNIQUE, SessionType.TEMPO, SessionType.STRENGTH],
    2: [SessionType.ACCELERATION, SessionType.TECHNIQUE, SessionType.PLYOMETRIC],
    3: [SessionType.ACCELERATION, SessionType.FLY_IN, SessionType.RESISTED],
    4: [SessionType.FLY_IN, SessionType.ACCELERATION, SessionType.PLYOMETRIC],
    5: [SessionType.FLY_IN, SessionType.ACCELERATION, SessionType.STRENGTH],
    6: [SessionType.FLY_IN, SessionType.STRENGTH, SessionType.TEMPO],
}
SPRINTING = {SessionType.ACCELERATION, SessionType.FLY_IN, SessionType.RESISTED}
MAX_PCT = {0: None, 1: 65, 2: 78, 3: 88, 4: 94, 5: 100, 6: 100}
# The timed sprints of a testing day, as % of the athlete's pre-injury top speed: near the top
# of each phase's band and under its ceiling (none while protecting the injury).
TRIAL_PCT = {1: 63, 2: 78, 3: 88, 4: 93, 5: 97, 6: 98}
TRIAL_SPLITS_M = [10, 20, 30, 40]
# τ from 1.30 s at the plan's start, 0.006 s quicker each day (acceleration comes back), to
# 0.95 s: every later trial accelerates better, by more than the fit's rounding noise.
TRIAL_TAU_S = (1.30, 0.006, 0.95)
# Monday, Wednesday, Friday and Saturday on the track; daily rehab while protecting the injury.
TRAINING_DAYS = {0, 2, 4, 5}
TESTING_DAY = 3  # Thursday
RECOVERY_KINDS = [
    RecoveryKind.FOAM_ROLLING,
    RecoveryKind.MOBILITY,
    RecoveryKind.COLD,
    RecoveryKind.MASSAGE,
    RecoveryKind.CROSS_TRAINING,
    RecoveryKind.SLEEP,
]


def healthy_checkins(clock: Clock, rng, athlete) -> None:
    """Two weeks of pain-free check-ins (an athlete who is not injured)."""
    for days_ago in range(14, -1, -1):
        day = clock.today - timedelta(days=days_ago)
        values = {
            "pain_rest": 0,
            "pain_activity": rng.randint(0, 1),
            "pain_morning": 0,
            "sleep_hours": 8,
            "sleep_quality": 8,
            "confidence": 9,
            "readiness": 8,
        }
        record_checkin(
            athlete, by=athlete.user, values=values, taken_at=clock.taken(day, 8), now=clock.now
        )


class Logs:
    """What one injured athlete logs day by day: the morning check-in, the day's training,
    the weekly tests (and the re-test the day before each phase decision), recovery work."""

    def __init__(
        self, clock: Clock, rng, metrics, athlete, s: Scenario, path: Path, scale, *, coach
    ):
        self.clock, self.rng, self.metrics, self.coach = clock, rng, metrics, coach
        self.athlete, self.s, self.path, self.scale = athlete, s, path, scale
        self.started_on = path.entered[0]
        self.injured_on = self.started_on - timedelta(days=2)
        self.retest_days = {day - timedelta(days=1) for day in path.left}

    def in_plan(self, day: date) -> bool:
        return day >= self.started_on

    def checkin(self, day: date, pains: tuple[int, int, int] | None = None) -> None:
        """The morning check-in; `pains` (rest, activity, morning) replaces the usual ones."""
        rng = self.rng
        rest, activity, morning = course.pain(rng, day, self.injured_on, self.started_on)
        if pains is not None:
            rest, activity, morning = pains
        phase = self.path.phase_on(day) if self.in_plan(day) else None
        progress = self.path.progress(day) if phase is not None else 0.0
        confidence = course.confidence(rng, phase, progress, injured=day >= self.injured_on)
        values = {
            "pain_rest": rest,
            "pain_activity": activity,
            "pain_morning": morning,
            "soreness_injured": min(10, activity + rng.randint(0, 1)),
            "soreness_other": rng.randint(0, 1),
            "sleep_hours": Decimal(f"{rng.uniform(6.5, 9.0):.1f}"),
            "sleep_quality": rng.randint(5, 9),
            "confidence": confidence,
            "readiness": min(10, max(0, confidence + rng.randint(-1, 1))),
            "pain_location": "back of thigh" if self.s.group == "hamstring" else "lower calf",
        }
        taken_at = self.clock.taken(day, 7, rng.randint(10, 55))
        record_checkin(
            self.athlete, by=self.athlete.user, values=values, taken_at=taken_at, now=self.clock.now
        )

    def recovery(self, day: date) -> None:
        if self.rng.random() < 0.45:
            record_recovery(
                self.athlete,
                kind=self.rng.choice(RECOVERY_KINDS),
                minutes=self.rng.choice([10, 15, 20, 30, 45]),
                performed_on=day,
                now=self.clock.now,
            )

    def session(self, day: date) -> None:
        """The day's training for the phase (none today: the day is not over)."""
        phase = self.path.phase_on(day)
        if day >= self.clock.today or (phase > 0 and day.weekday() not in TRAINING_DAYS):
            return
        rng = self.rng
        kind = rng.choice(SESSION_TYPES[phase])
        sprinting = kind in SPRINTING
        values = {
            "date": day,
            "type": kind,
            "duration_min": rng.choice([40, 45, 50, 60, 75]),
            "rpe": min(10, 3 + phase // 2 + rng.randint(0, 2)),
            "top_intensity_pct": MAX_PCT[phase] if sprinting else None,
            "sprint_distance_m": rng.choice([150, 200, 300, 400]) if sprinting else None,
            "surface": TrainingSession.Surface.TRACK if sprinting else TrainingSession.Surface.GYM,
            "pain_during": rng.choice([0, 0, 1, 1, 2]) if phase < 6 else 0,
            "pain_after": rng.choice([0, 1, 1, 2]) if phase < 6 else 0,
        }
        record_session(self.athlete, by=None, values=values)

    def tests(self, day: date) -> None:
        """Thursday's tests, and the re-test the day before the coach decides on a phase."""
        if day.weekday() != TESTING_DAY and day not in self.retest_days:
            return
        s, phase, progress = self.s, self.path.phase_on(day), self.path.progress(day)
        recovery = course.recovery(phase, progress)
        injured, other = s.side, "right" if s.side == "left" else "left"
        at = self.clock.taken(day, 17, 30)

        def add(code, value, side=""):
            record_measurement(
                self.athlete,
                by=None,
                metric=self.metrics[code],
                value=round(value, 3),
                side=side,
                measured_at=at,
                now=self.clock.now,
            )

        def both_sides(code, injured_share):
            base = BASELINES[code] * self.scale
            add(code, base * injured_share, injured)
            add(code, base, other)

        both_sides("knee_flexor_strength" if s.group == "hamstring" else "calf_raises", recovery)
        if phase >= 2:
            both_sides("single_leg_hop", recovery)
            slower = course.slower(recovery)
            add("split_30m", BASELINES["split_30m"] * (2 - self.scale) * slower)
            add("peak_velocity", BASELINES["peak_velocity"] * self.scale / slower)
        if s.group == "calf":
            both_sides("knee_to_wall", min(1.0, recovery + course.MOBILITY_AHEAD))
            if phase >= 4:
                both_sides("triple_hop", recovery)
        # Palpation is painless from halfway through the first phase.
        add("palpation", 1 if phase >= 1 or progress >= 0.5 else 0, injured)
        if phase >= 4 and s.group == "hamstring":
            add("h_test", 1 if phase >= 5 or progress >= 0.5 else 0, injured)
        # Timed sprints on the gates: one on a Thursday, three on the re-test before a decision.
        if phase in TRIAL_PCT:
            # Faster as the phase goes on, never slower than before (no regression to flag).
            pct = TRIAL_PCT[phase] - 1.5 * (1 - progress)
            # The re-test's three runs time the same (identical splits fit identically).
            for n in range(3 if day in self.retest_days else 1):
                self.sprint(day, self.clock.taken(day, 16, 30 + 5 * n), pct)

    def sprint(self, day: date, at, pct: float) -> None:
        """A crouch-start sprint through gates at 10–40 m at `pct` % of the athlete's
        pre-injury top speed (the typed baseline), timed by the coach."""
        mss = BASELINES["sprint_mss"] * self.scale * pct / 100
        first, daily, fastest = TRIAL_TAU_S
        tau = max(fastest, first - daily * (day - self.started_on).days)
        times = model_times(TRIAL_SPLITS_M, mss, tau)
        record_sprint_trial(
            self.athlete,
            by=self.coach,
            measured_at=at,
            splits=[
                {"distance_m": d, "time_s": round(t, 3)}
                for d, t in zip(TRIAL_SPLITS_M, times, strict=True)
            ],
            start="crouch",
            notes="Timing gates",
            now=self.clock.now,
        )

    def slow_30m(self, factor: float) -> None:
        """A 30 m `factor` times the best of the athlete's splits, timed yesterday evening (or
        just after today's tests)."""
        splits = self.athlete.measurements.filter(metric__code="split_30m")
        best = min(splits.values_list("value", flat=True))
        latest = max(splits.values_list("measured_at", flat=True))
        yesterday = self.clock.at(self.clock.today - timedelta(days=1), 17)
        record_measurement(
            self.athlete,
            by=None,
            metric=self.metrics["split_30m"],
            value=round(best * factor, 3),
            measured_at=max(yesterday, latest + timedelta(minutes=1)),
            notes="Timing gates, 2 trials",
            now=self.clock.now,
        )
