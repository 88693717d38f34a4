"""The signed-in person's own account: profile, password pages and two-factor sign-in.

Every view acts on request.user alone; no user id is ever read from the request. The rules of
two-factor sign-in live in athletes.two_factor; these views parse input and call them.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from .access import is_athlete_only
from .account_forms import CodeForm, ProfileForm
from .lockout import lockout_response
from .models import Athlete
from .two_factor import (
    OTP_WRONG,
    CodeRefused,
    CodeThrottled,
    RemovalRefused,
    Step,
    backup_codes_left,
    check_code,
    display_code,
    enrol_authenticator,
    is_locked_out,
    new_secret,
    provisioning_uri,
    qr_code_data_uri,
    record_wrong_code,
    regenerate_backup_codes,
    remove_second_factor,
    second_factor_of,
    secret_for_people,
    session_is_verified,
    sign_in_complete,
)

# Session keys: the secret being set up (kept until confirmed, so a reload shows the same QR
# code), and a new set of backup codes until the page that shows them once has.
SETUP_SECRET = "two_factor_setup_secret"
NEW_BACKUP_CODES = "two_factor_new_backup_codes"


def frame_for(user) -> dict:
    """A person who is only an athlete sees their own pages' frame (phone layout, bottom nav);
    everyone else the desktop one."""
    athlete = (
        Athlete.objects.filter(user=user).select_related("team").first()
        if is_athlete_only(user)
        else None
    )
    return {"base_template": "me/base.html" if athlete else "base.html", "athlete": athlete}


class PersonalFrame:
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **frame_for(self.request.user)}


def _next_or_home(request) -> str:
    """The page the person was going to (same site only), or the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _lock_out(request):
    """Too many wrong codes (or passwords): end the half-signed-in session, show the lock-out."""
    logout(request)
    return lockout_response(request)


# --- Two-factor sign-in ---------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The step after the password for staff with an authenticator: a code, or a backup code."""
    user = request.user
    step = Step.NONE if session_is_verified(user) else second_factor_of(user).step
    if step is Step.ENROL:
        return redirect(_with_next("two-factor-setup", _next_or_home(request)))
    if step is Step.NONE:
        return redirect(_next_or_home(request))
    if is_locked_out(request, user):
        return _lock_out(request)
    form = CodeForm(
        request.POST if request.method == "POST" else None, label="Code from your authenticator app"
    )
    if form.is_valid():
        try:
            device = check_code(user, form.cleaned_data["code"])
        except CodeThrottled as throttled:
            form.add_error("code", throttled.message)
        else:
            if device is not None:
                otp_login(request, device)
                request.session.cycle_key()
                sign_in_complete(request, user)
                return redirect(_next_or_home(request))
            if record_wrong_code(request, user):
                return _lock_out(request)
            form.add_error("code", OTP_WRONG)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_or_home(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app (or move it to a new phone): scan the QR code or type the
    key, then confirm with the code it shows. Staff only."""
    user = request.user
    facts = second_factor_of(user)
    if not facts.staff:
        raise Http404("Two-factor sign-in is for staff.")
    if facts.enrolled and not session_is_verified(user):
        # Replacing an authenticator needs the current one first.
        return redirect(_with_next("two-factor-verify", request.get_full_path()))
    key = request.session.get(SETUP_SECRET)
    if not isinstance(key, str) or len(key) != 40:
        key = request.session[SETUP_SECRET] = new_secret()
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        label="Code the app shows now",
        numeric=True,
    )
    if form.is_valid():
        try:
            device, codes = enrol_authenticator(user, key, form.cleaned_data["code"])
        except CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            del request.session[SETUP_SECRET]
            otp_login(request, device)
            request.session.cycle_key()
            request.session[NEW_BACKUP_CODES] = codes
            return redirect(_with_next("two-factor-backup-codes", _next_or_home(request)))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "facts": facts,
            "secret": secret_for_people(key),
            "qr_code": qr_code_data_uri(provisioning_uri(user, key)),
            "next": _next_or_home(request),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def two_factor_backup_codes(request):
    """A new set of backup codes, shown once: opening the page again shows none."""
    codes = request.session.pop(NEW_BACKUP_CODES, None)
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {
            "codes": [display_code(c) for c in codes] if codes else None,
            "next": _next_or_home(request),
        },
    )


# --- Profile -----------------------------------------------------------------------------------


def _profile(request, remove_form=None, profile_form=None, status=200):
    user = request.user
    facts = second_factor_of(user)
    frame = frame_for(user)
    athlete = frame["athlete"]
    return render(
        request,
        "accounts/profile.html",
        {
            **frame,
            # An athlete's account may have no name of its own: their athlete record's.
            "name": user.get_full_name() or (athlete.full_name if athlete else ""),
            "facts": facts,
            "backup_codes_left": backup_codes_left(user) if facts.enrolled else None,
            "remove_form": remove_form
            or CodeForm(label="Code from your authenticator app, or a backup code"),
            "profile_form": profile_form or ProfileForm(instance=user),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """Name, e-mail, password, two-factor sign-in and API tokens of the signed-in person; a
    POST changes their name and e-mail (field errors, nothing stored, when one is wrong)."""
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, gettext("Your name and e-mail address are saved."))
            return redirect("profile")
        return _profile(request, profile_form=form, status=400)
    return _profile(request)


@login_required
@require_POST
def new_backup_codes(request):
    """Replace the backup codes (the middleware has made sure this session gave a code)."""
    user = request.user
    if not second_factor_of(user).enrolled or not session_is_verified(user):
        messages.error(request, "Set up an authenticator app first; backup codes come with it.")
        return redirect("profile")
    request.session[NEW_BACKUP_CODES] = regenerate_backup_codes(user)
    return redirect(_with_next("two-factor-backup-codes", reverse("profile")))


@login_required
@require_POST
def remove_two_factor(request):
    """Turn two-factor sign-in off: needs a current code; refused while the team requires it."""
    user = request.user
    if not second_factor_of(user).enrolled:
        return redirect("profile")
    if is_locked_out(request, user):
        return _lock_out(request)
    form = CodeForm(request.POST, label="Code from your authenticator app, or a backup code")
    if form.is_valid():
        try:
            remove_second_factor(user, form.cleaned_data["code"])
        except RemovalRefused as refused:
            messages.error(request, str(refused))
            return redirect("profile")
        except CodeThrottled as throttled:
            form.add_error("code", throttled.message)
        except CodeRefused as refused:
            if record_wrong_code(request, user):
                return _lock_out(request)
            form.add_error("code", str(refused))
        else:
            messages.success(
                request,
                "Two-factor sign-in is off: your password alone signs you in. Your backup "
                "codes no longer work.",
            )
            return redirect("profile")
    return _profile(request, remove_form=form, status=400)


# --- Password pages (Django's own views, in our frame) -----------------------------------------


class PasswordChangeView(PersonalFrame, auth_views.PasswordChangeView):
    """Needs the current password; keeps this session signed in, signs every other one out."""


class PasswordChangeDoneView(PersonalFrame, auth_views.PasswordChangeDoneView):
    pass


def _reset_link_valid_for() -> str:
    hours = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600))
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


class PasswordResetView(auth_views.PasswordResetView):
    """Sends a one-time link to the account with this e-mail address (the page never says
    whether there is one)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        # Links in e-mails are opened outside the app: they start with SITE_URL.
        return {"site_url": settings.SITE_URL, "valid_for": _reset_link_valid_for()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "valid_for": _reset_link_valid_for()}
