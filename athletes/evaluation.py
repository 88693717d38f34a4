"""The change queue: an athlete whose evidence changed is evaluated once, soon, exactly when the
change committed (the transactional-outbox idea, in Python, one code path for every database).

1. A service that writes evidence (a check-in, a session, a measurement, a correction, a
   baseline, an injury edit, a phase move, a protocol edit) calls `request_evaluation` inside
   its own transaction: the EvaluationRequest row
   commits with the change, or not at all.
2. After the commit, `wake_consumer` sends the one consumer, `rehab.tasks.evaluate_pending`,
   with a one-second countdown, so the changes of that second are evaluated together; a web
   process sends at most one such wake-up per half second (the one sent before will still
   find the new request: it runs at least half a second after this commit).
3. Celery beat sends the same consumer every minute (settings, MONITORING_SWEEP_SECONDS): a
   request whose wake-up was lost (the web process died after the commit, the broker was
   down) waits at most that long.

The consumer sits in rehab (it reads plans) and this module below it, so the task is named
rather than imported (rehab registers its tasks when Django starts; a test proves the name).
"""

import logging
import time
from collections.abc import Iterable

from celery import current_app
from django.db import transaction

from .models import EvaluationRequest

logger = logging.getLogger(__name__)

CONSUMER_TASK = "rehab.tasks.evaluate_pending"
WAKE_DELAY_SECONDS = 1.0
# Publishing a Celery message costs 3 ms of CPU, a quarter of a check-in POST (bench/README.md,
# check-in ingestion, 2026-12-03): without this the endpoint falls below half the bare view's
# throughput. Skipping a wake-up is safe while the previous one has not run yet: sent less
# than half the countdown ago, it runs after this commit and claims every waiting request.
WAKE_EVERY_SECONDS = WAKE_DELAY_SECONDS / 2
_next_wake_at = 0.0  # this process's clock (time.monotonic)


def request_evaluation(athlete_ids: Iterable[int], *, wake: bool = True) -> None:
    """Queue the evaluation of these athletes in the caller's transaction and wake the consumer
    after it commits (in autocommit, at once); `wake=False` for the consumer itself."""
    rows = [EvaluationRequest(athlete_id=pk) for pk in sorted(set(athlete_ids))]
    if not rows:
        return
    EvaluationRequest.objects.bulk_create(rows)
    if wake:
        transaction.on_commit(wake_consumer)


def wake_consumer() -> None:
    """Send the consumer, unless this process sent it less than WAKE_EVERY_SECONDS ago (in
    tests, where tasks run eagerly, run it here every time). A broker that is down loses only
    the wake-up: the request stays for beat's sweep."""
    global _next_wake_at
    if not current_app.conf.task_always_eager:
        now = time.monotonic()
        if now < _next_wake_at:
            return
        _next_wake_at = now + WAKE_EVERY_SECONDS
    try:
        current_app.tasks[CONSUMER_TASK].apply_async(countdown=WAKE_DELAY_SECONDS)
    except Exception:
        if current_app.conf.task_always_eager:
            raise
        logger.exception("change queue: could not wake the consumer; beat's sweep will run it")
