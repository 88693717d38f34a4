"""The change queue's one consumer: evaluate the athletes whose evidence changed, their flags and
their plan's stored gate counts (rehab.gate_summary).

Services queue an athlete with `athletes.evaluation.request_evaluation` in the transaction
that changes their evidence; after the commit the web process wakes this consumer
(`rehab.tasks.evaluate_pending`), and Celery beat sends it every minute as a sweep. Claims
follow healthchecks' sendalerts: a conditional update takes the rows, only the claimed rows
are deleted after the work, and a claim whose worker died expires.

Each run first queues the athletes whose gate counts the calendar has made stale
(`gate_summary.queue_due`: a minimum-days gate turning at midnight, a plan with no counts for
its phase), so time enters the same queue as evidence.
"""

import datetime as dt
import logging
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from athletes.models import EvaluationRequest
from monitoring.flags import ScanReport

from . import gate_summary
from .scan import scan_all

logger = logging.getLogger(__name__)

# A claim older than this is taken to belong to a worker that died; far longer than a batch.
EVALUATION_LEASE = dt.timedelta(minutes=5)


def evaluate_pending(*, batch: int = 1000, now=None) -> ScanReport:
    """Evaluate every athlete with an EvaluationRequest (athletes.evaluation), and remove the
    requests it served.

    Steps: queue the plans the calendar made due (gate_summary.queue_due); then per batch of
    requests, until the queue is empty:
    1. Claim up to `batch` requests that nobody holds (or whose holder's lease ran out) with a
       conditional update; rows another worker is claiming at this moment are skipped.
    2. Evaluate their athletes together: rehab.scan.scan_all(athlete_ids=...) raises and clears
       their flags and notifies; gate_summary.refresh stores their plans' gate counts.
    3. Delete exactly the claimed rows. A request written meanwhile is another row and stays
       for the next run; a worker that dies before this step leaves its claim to expire and
       a later run evaluates those athletes again (evaluating twice changes nothing).
    """
    total = ScanReport()
    started = time.monotonic()
    gate_summary.queue_due(now=now)
    while True:
        claimed_at = now or timezone.now()
        with transaction.atomic():
            claimed = list(
                EvaluationRequest.objects.select_for_update(skip_locked=True)
                .filter(Q(claimed_until=None) | Q(claimed_until__lt=claimed_at))
                .order_by("pk")
                .values_list("pk", "athlete_id")[:batch]
            )
            ids = [pk for pk, _ in claimed]
            EvaluationRequest.objects.filter(pk__in=ids).update(
                claimed_until=claimed_at + EVALUATION_LEASE
            )
        if not claimed:
            break
        athlete_ids = sorted({athlete_id for _, athlete_id in claimed})
        report = scan_all(athlete_ids=athlete_ids, now=now)
        try:
            gate_summary.refresh(athlete_ids, now=claimed_at)
        except Exception:
            # The flags are written; the roster judges plans without good counts live.
            logger.exception(
                "change queue: gate counts of %d athletes not stored", len(athlete_ids)
            )
        # A failing athlete is logged by scan_all and not retried here: the full scan runs it.
        EvaluationRequest.objects.filter(pk__in=ids).delete()
        for name, value in report.as_dict().items():
            if name != "seconds":
                setattr(total, name, getattr(total, name) + value)
        if len(claimed) < batch:
            break
    total.seconds = round(time.monotonic() - started, 3)
    return total
