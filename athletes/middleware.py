"""Staff who must give a second-factor code (or enrol first) see no other page until they have."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import Step, pending_step

NOT_VERIFIED = (
    "Two-factor sign-in is not complete for this session: give your code on the website "
    "(/accounts/two-factor/) or use an API token."
)


class TwoFactorMiddleware:
    """Runs after django-otp's OTPMiddleware. A signed-in staff member whose session has not
    given a code is sent to the code page (or to set up an authenticator when their team
    requires one and they have none), from every page but these: the health check, static
    files, signing out and the two-factor pages themselves. A pure athlete is never stopped
    (athletes.two_factor). The API answers 403 JSON to such a session instead of a redirect;
    token-authenticated API calls have no session user here and pass (the token endpoint
    checks the code itself)."""

    def __init__(self, get_response):
        self.get_response = get_response
        static = "/" + settings.STATIC_URL.lstrip("/")
        self.exempt = (static, "/healthz", reverse("logout"), "/accounts/two-factor/")

    def __call__(self, request):
        if request.path.startswith(self.exempt):
            return self.get_response(request)
        step = pending_step(request.user)
        if step is Step.NONE:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": NOT_VERIFIED}, status=403)
        target = reverse("two-factor-verify" if step is Step.VERIFY else "two-factor-setup")
        if request.headers.get("HX-Request"):
            # A redirect would swap the code page into a fragment: send the whole tab there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
