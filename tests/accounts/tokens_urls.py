"""The real URLs plus a stand-in for the API tokens page (built elsewhere), to show the
profile links to it once it exists."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as real_patterns

urlpatterns = [
    path("accounts/tokens/", lambda request: HttpResponse("tokens"), name="accounts-tokens"),
    *real_patterns,
]
