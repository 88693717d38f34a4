"""How an injured demo athlete comes back, in numbers: pain that settles within days of the
assessment, an injured side that catches up with the other phase by phase, sprint times that
close on the pre-injury baseline, confidence that grows.

Each phase ends with the values its gates ask for (rehab.protocol_templates), so every advance
the demo makes is one the gate engine allows.
"""

from datetime import date

# The injured side as a share of the uninjured one (strength, hops), at the start and at the
# end of each phase: the end values pass that phase's LSI gates (80, 85, 90 %) and the calf's
# "30 single-leg calf raises" of phase 4.
RECOVERY = {
    0: (0.60, 0.70),
    1: (0.72, 0.84),
    2: (0.84, 0.89),
    3: (0.89, 0.93),
    4: (0.93, 0.955),
    5: (0.955, 0.975),
    6: (0.975, 0.99),
}
# Ankle range comes back ahead of calf strength (the knee-to-wall gate of phase 1 is 90 %).
MOBILITY_AHEAD = 0.08


def recovery(phase: int, progress: float) -> float:
    start, end = RECOVERY[phase]
    return start + (end - start) * progress


def slower(recovery: float) -> float:
    """Sprint time as a multiple of the pre-injury baseline: within 1.5 % once the injured side
    is back above ~90 % (the 30 m gates allow 110, 105 and 103 %)."""
    return 1.0 + max(0.015, 0.16 * (1 - recovery))


def pain(rng, day: date, injured_on: date, started_on: date) -> tuple[int, int, int]:
    """Pain (rest, activity, morning) on a check-in day.

    Before the injury: none. Between the injury and the assessment: high. From the plan's
    start it settles within days to at most 2/10 (the gates' limit), with an occasional 1/10
    in activity. Morning pain never rises from one day to the next, so no session is followed
    by more next-morning pain (the soreness gate)."""
    if day < injured_on:
        return 0, rng.randint(0, 1), 0
    if day < started_on:
        return 4, 7, 6
    n = (day - started_on).days
    base = 4.2 * 0.6**n
    rest = max(0, round(base * 0.5 + rng.uniform(-0.4, 0.4)))
    activity = max(0, round(base + rng.uniform(-0.5, 1.0)))
    morning = round(base * 0.8)
    if n >= 1:
        rest, activity, morning = min(rest, 1), min(activity, 2), min(morning, 2)
    return rest, activity, morning


def confidence(rng, phase: int | None, progress: float, *, injured: bool) -> int:
    """Confidence 0–10: high before the injury, low after it, then growing phase by phase
    (the gates of phases 2, 4 and 5 ask for 6, 7 and 8 in the last three check-ins)."""
    if phase is None:
        return 3 if injured else 8 + rng.randint(0, 1)
    return min(10, 3 + phase + round(2 * progress) + rng.randint(0, 1))
