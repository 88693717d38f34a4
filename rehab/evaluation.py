"""The change queue's one consumer: evaluate the athletes whose evidence changed.

Services queue an athlete with `athletes.evaluation.request_evaluation` in the transaction
that changes their evidence; after the commit the web process wakes this consumer
(`rehab.tasks.evaluate_pending`), and Celery beat sends it every minute as a sweep. Claims
follow healthchecks' sendalerts: a conditional update takes the rows, only the claimed rows
are deleted after the work, and a claim whose worker died expires.

The gates are not stored: every page evaluates them live from the same evidence
(rehab.gates), so there is nothing else here to refresh.
"""

import datetime as dt
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from athletes.models import EvaluationRequest
from monitoring.flags import ScanReport

from .scan import scan_all

# A claim older than this is taken to belong to a worker that died; far longer than a batch.
EVALUATION_LEASE = dt.timedelta(minutes=5)


def evaluate_pending(*, batch: int = 1000, now=None) -> ScanReport:
    """Evaluate every athlete with an EvaluationRequest (athletes.evaluation), and remove the
    requests it served.

    Steps, per batch of requests, until the queue is empty:
    1. Claim up to `batch` requests that nobody holds (or whose holder's lease ran out) with a
       conditional update; rows another worker is claiming at this moment are skipped.
    2. Evaluate their athletes together: rehab.scan.scan_all(athlete_ids=...) raises and clears
       their flags and notifies.
    3. Delete exactly the claimed rows. A request written meanwhile is another row and stays
       for the next run; a worker that dies before this step leaves its claim to expire and
       a later run evaluates those athletes again (evaluating twice changes nothing).
    """
    total = ScanReport()
    started = time.monotonic()
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
        report = scan_all(athlete_ids=sorted({athlete_id for _, athlete_id in claimed}), now=now)
        # A failing athlete is logged by scan_all and not retried here: the full scan runs it.
        EvaluationRequest.objects.filter(pk__in=ids).delete()
        for name, value in report.as_dict().items():
            if name != "seconds":
                setattr(total, name, getattr(total, name) + value)
        if len(claimed) < batch:
            break
    total.seconds = round(time.monotonic() - started, 3)
    return total
