"""The real URLs plus views that fail on purpose (for the error-page tests)."""

import logging

from django.db import OperationalError
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from config.urls import urlpatterns as real_patterns

log = logging.getLogger("sprintback.test")


def boom(request):
    log.info("about to fail")
    raise RuntimeError("secret internals: /srv/app/settings.py line 42")


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@api_view(["POST"])
@permission_classes([AllowAny])
def api_database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


urlpatterns = [
    path("boom/", boom),
    path("api/boom/", boom),
    path("db-down/", database_down),
    path("api/db-down/", api_database_down),
    *real_patterns,
]

handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"
