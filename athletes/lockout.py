"""What a locked-out login sees (django-axes calls this instead of its bare 429)."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import ngettext


def lockout_message() -> str:
    minutes = settings.AXES_COOLOFF_MINUTES
    return ngettext(
        "Too many failed sign-ins; try again in %(minutes)d minute "
        "or ask a staff admin to unlock your account.",
        "Too many failed sign-ins; try again in %(minutes)d minutes "
        "or ask a staff admin to unlock your account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """429 with the message: JSON for the API, the sign-in page (with the error) otherwise."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        form.cleaned_data = {}
        form.add_error(None, lockout_message())
        response = TemplateResponse(
            request,
            "registration/login.html",
            {"form": form, "next": request.POST.get("next", "")},
            status=429,
        ).render()
    response["Retry-After"] = str(settings.AXES_COOLOFF_MINUTES * 60)
    return response
