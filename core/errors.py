"""Error pages: JSON under /api/ (clients parse it), plain HTML elsewhere; never a traceback.

A database that cannot be reached (restarting, failing over) is answered 503 with
Retry-After, not 500: the request did nothing and the client may simply retry.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views import defaults

DATABASE_UNAVAILABLE = "The database is briefly unavailable; nothing was saved. Please retry."
RETRY_AFTER_SECONDS = "5"


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def is_database_unavailable(exc) -> bool:
    """The database could not be reached: the request did nothing and a retry will work."""
    return isinstance(exc, OperationalError | InterfaceError)


def database_unavailable(request):
    if _is_api(request):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(
            DATABASE_UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Django calls the 500 handler inside its `except` block, so the exception is at hand.
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable(request)
    if _is_api(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side; it was logged."}, status=500
        )
    return defaults.server_error(request)
