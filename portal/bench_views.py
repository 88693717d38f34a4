"""A bare view for bench/api_ingest.py: parse JSON, one INSERT, no auth, no DRF, no rules.

Mounted only when SPRINTBACK_BENCH=true (never in production): it is the yardstick the
check-in endpoint's throughput is compared with.
"""

import json

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from monitoring.models import CheckIn


@csrf_exempt
def bare_checkin(request):
    body = json.loads(request.body)
    taken_at = timezone.datetime.fromisoformat(body["taken_at"])
    checkin = CheckIn.objects.create(
        athlete_id=body["athlete"],
        taken_at=taken_at,
        local_date=timezone.localdate(taken_at),
        pain_rest=body["pain_rest"],
        pain_activity=body["pain_activity"],
        pain_morning=body["pain_morning"],
    )
    return JsonResponse({"id": checkin.pk}, status=201)
