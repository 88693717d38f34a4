import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from monitoring.selectors import home_summary

from .models import STAFF_ROLES, Role
from .selectors import get_athlete_for, is_athlete_only, roles_of, teams_for

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """A signed-in landing page per role: clinicians go to their queue, coaches to the coach
    workspace; a person who is only an athlete goes to their phone pages."""
    roles = roles_of(request.user)
    if Role.CLINICIAN in roles:
        return redirect("clinic:queue")
    if roles & set(STAFF_ROLES):
        return redirect("coach:roster")
    if is_athlete_only(request.user):
        return redirect("me:today")
    return render(request, "home.html", home_summary(request.user))


@login_required
def athlete_detail(request, pk):
    athlete = get_athlete_for(request.user, pk)
    return render(
        request, "athletes/detail.html", {"athlete": athlete, "teams": teams_for(request.user)}
    )


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


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the Celery broker answer, 503 otherwise."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )
