"""Pages and checks that span the apps: the signed-in landing page and /healthz."""

import datetime as dt
import logging
import os

from celery import current_app as celery_app
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from athletes.access import is_athlete_only, roles_of
from athletes.models import STAFF_ROLES, Role
from monitoring.job_runs import FULL_SCAN, last_completed_at, scans_late
from rehab.selectors import home_summary

logger = logging.getLogger(__name__)


def _web_started_at() -> dt.datetime:
    """When the web server started. gunicorn recycles its workers (max_requests), so its master
    sets SPRINTBACK_WEB_STARTED_AT (config/gunicorn.py) for all of them; a process without
    it (runserver, tests) counts from its own start."""
    raw = os.environ.get("SPRINTBACK_WEB_STARTED_AT")
    return dt.datetime.fromtimestamp(float(raw), tz=dt.UTC) if raw else timezone.now()


# /healthz does not call scans late before the server has been up for as long as it allows
# between two scans: a fresh deploy has had no time to run one.
WEB_STARTED_AT = _web_started_at()


@login_required
def home(request):
    """A signed-in landing page per role: clinicians go to their queue, coaches to the coach
    workspace; a person who is only an athlete goes to their phone pages, a team admin (with no
    other role) to the people page."""
    roles = roles_of(request.user)
    if Role.CLINICIAN in roles:
        return redirect("clinic:queue")
    if roles & set(STAFF_ROLES):
        return redirect("coach:roster")
    if is_athlete_only(request.user):
        return redirect("me:today")
    if Role.ADMIN in roles:  # a team admin only: the team's people
        return redirect("people:list")
    return render(request, "home.html", home_summary(request.user))


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("healthz: broker unreachable")
        return False


def _scans(now):
    """("ok" or "late", the last full scan's completion time or None); ("unknown", None) when
    the database cannot tell."""
    try:
        last = last_completed_at(FULL_SCAN)
    except Exception:
        logger.exception("healthz: could not read the last scan")
        return "unknown", None
    return "late" if scans_late(last, up_since=WEB_STARTED_AT, now=now) else "ok", last


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the Celery broker answer and a full monitoring scan completed
    within the last three scan intervals (or the server started less than that ago); 503
    otherwise. Also reports when the last full scan completed (ISO 8601, or null)."""
    now = timezone.now()
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {k: "ok" if v else "down" for k, v in checks.items()}
    scans, last_scan = _scans(now) if checks["database"] else ("unknown", None)
    healthy = all(checks.values()) and scans == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **body,
            "scans": scans,
            "last_scan_completed_at": last_scan,
        },
        status=200 if healthy else 503,
    )
