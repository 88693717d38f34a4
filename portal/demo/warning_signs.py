"""The stories the monitoring scan turns into flags (and one it must not):

- persisting_pain (Aisha Bello): four mornings in a row with pain at or above 3/10, the first
  more than 48 hours ago: "pain above threshold";
- regressed_30m (Liam O'Connor): yesterday's 30 m clearly slower than his best of the last
  four weeks: "metric regression";
- missed (Grace Adeyemi): no check-in for five days: "missed check-ins";
- no_today (Maya Okafor, the athlete login): has not checked in yet today, which is no flag.

The flags themselves are the scan's to raise (the change queue runs it once the demo commits).
"""

from .logs import Logs
from .squad import Scenario

# Newest first: today, yesterday, two and three days ago (rest, activity, morning), rising.
PAINFUL_MORNINGS = [(3, 5, 5), (2, 5, 4), (2, 4, 4), (2, 4, 3)]
# Slower than the best of the last four weeks by more than the 30 m's 3 % worthwhile change.
REGRESSION = 1.038


def skips_checkin(s: Scenario, days_ago: int) -> bool:
    return ("missed" in s.story and days_ago < 5) or ("no_today" in s.story and days_ago == 0)


def pains(s: Scenario, days_ago: int) -> tuple[int, int, int] | None:
    """The check-in pains the story sets for that day (None: the athlete's usual ones)."""
    if "persisting_pain" in s.story and days_ago < len(PAINFUL_MORNINGS):
        return PAINFUL_MORNINGS[days_ago]
    return None


def after_the_logs(s: Scenario, logs: Logs) -> None:
    if "regressed_30m" in s.story:
        logs.slow_30m(REGRESSION)
