"""Two-factor sign-in for staff: who gives a code, enrolment, checking codes, backup codes.

The rule, in one place (the pages' middleware, the sign-in views and the API token endpoint all
read it from here):

- *Staff* are coaches and clinicians of any team, and staff admins (Django's is_staff or
  is_superuser). A person who is only an athlete is never asked for a code, anywhere.
- A staff member with an authenticator (a confirmed TOTP device) gives a code after the
  password, whether or not anything requires it: enrolling voluntarily counts.
- A staff member who *must* use it (STAFF_REQUIRE_2FA, or staff of a team whose
  `require_staff_2fa` is on) and has no authenticator enrols before any other page.
- A code is the 6 digits the authenticator shows, or one of the backup codes (each works once).

Guessing codes is stopped twice: every wrong code counts as a failed sign-in for django-axes
(the same lock-out as wrong passwords: AXES_FAILURE_LIMIT failures of one username from one
address lock it for AXES_COOLOFF_MINUTES), and django-otp makes each device wait 1, 2, 4, 8 …
seconds after each wrong code, from every address at once. Failures are cleared only when a
sign-in is complete (after the code for those who give one), never by the password alone.
"""

import enum
import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .access import memberships
from .models import STAFF_ROLES, Role

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
# Anything longer is not a code; refused without touching the database.
MAX_CODE_LENGTH = 32
_TOTP_CODE = re.compile(r"\d{6}")


class Step(enum.Enum):
    """What a signed-in person must do before any other page."""

    NONE = "none"
    VERIFY = "verify"  # give a code from the authenticator (or a backup code)
    ENROL = "enrol"  # set up an authenticator first


@dataclass(frozen=True)
class SecondFactor:
    staff: bool
    required: bool
    enrolled: bool

    @property
    def step(self) -> Step:
        """The step for a session that has not given a code yet."""
        if not self.staff:
            return Step.NONE
        if self.enrolled:
            return Step.VERIFY
        return Step.ENROL if self.required else Step.NONE


class CodeRefused(Exception):
    pass


class CodeThrottled(Exception):
    """Too many wrong codes in a row on this device: none is checked before `until`."""

    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until

    def seconds_left(self, now=None) -> int:
        now = now or timezone.now()
        return max(1, int((self.until - now).total_seconds() + 0.999))

    @property
    def message(self) -> str:
        seconds = self.seconds_left()
        return ngettext(
            "Too many wrong codes in a row: wait %(seconds)d second, then try again.",
            "Too many wrong codes in a row: wait %(seconds)d seconds, then try again.",
            seconds,
        ) % {"seconds": seconds}


class RemovalRefused(Exception):
    pass


# --- Who must do what (one query) -------------------------------------------------------------

# The roles a team's two-factor rule covers: those who see athletes' data, and the team admin,
# who lets people in (an invited coach would see it all).
SECOND_FACTOR_ROLES = (*STAFF_ROLES, Role.ADMIN)


def second_factor_of(user) -> SecondFactor:
    """Whether the user is staff, must use two-factor sign-in, and has an authenticator: one
    query. Anonymous users are not staff."""
    if not getattr(user, "is_authenticated", False):
        return SecondFactor(staff=False, required=False, enrolled=False)
    staff_memberships = memberships(OuterRef("pk"), SECOND_FACTOR_ROLES)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            staff_member=Exists(staff_memberships),
            team_requires=Exists(staff_memberships.filter(team__require_staff_2fa=True)),
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .values_list("staff_member", "team_requires", "enrolled")
        .first()
    )
    if row is None:
        return SecondFactor(staff=False, required=False, enrolled=False)
    staff_member, team_requires, enrolled = row
    staff = bool(staff_member or user.is_staff or user.is_superuser)
    required = staff and bool(settings.STAFF_REQUIRE_2FA or team_requires)
    return SecondFactor(staff=staff, required=required, enrolled=staff and bool(enrolled))


def session_is_verified(user) -> bool:
    """True when this session gave a code (django-otp's OTPMiddleware sets otp_device)."""
    return getattr(user, "otp_device", None) is not None


def pending_step(user) -> Step:
    """What the signed-in user of this request must still do (NONE for anonymous users)."""
    if not getattr(user, "is_authenticated", False) or session_is_verified(user):
        return Step.NONE
    return second_factor_of(user).step


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Enrolment ----------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh TOTP secret (20 random bytes, hex as django-otp stores it)."""
    return random_hex(20)


def secret_for_people(key_hex: str) -> str:
    """The secret as authenticator apps take it when typed: base32 in groups of four."""
    text = b32encode(bytes.fromhex(key_hex)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(user, key_hex: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=key_hex).config_url


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI, which the CSP allows in <img> (img-src 'self' data:)."""
    return segno.make_qr(text, error="m").svg_data_uri(scale=5, border=3, dark="#0f2742")


@transaction.atomic
def enrol_authenticator(user, key_hex: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator holding `key_hex` with a code it shows now. It replaces any
    earlier authenticator of the user and comes with a fresh set of backup codes (the earlier
    set stops working). A wrong code raises CodeRefused and stores nothing."""
    device = TOTPDevice.objects.create(
        user=user, key=key_hex, name=AUTHENTICATOR_NAME, confirmed=False
    )
    # django-otp's own check (clock tolerance, and the code cannot be used again to sign in).
    if not device.verify_token(_normalised(code)):
        raise CodeRefused(
            _(
                "That code does not match. Check that the time on your phone is right and type "
                "the 6 digits the app shows now."
            )
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, regenerate_backup_codes(user)


@transaction.atomic
def regenerate_backup_codes(user) -> list[str]:
    """A new set of BACKUP_CODE_COUNT one-time codes; the earlier set stops working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def display_code(code: str) -> str:
    """A backup code as shown: two groups of four (typed with or without the hyphen)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


# --- Checking codes -----------------------------------------------------------------------


def _normalised(code) -> str:
    return re.sub(r"[\s-]", "", str(code)).lower()


def check_code(user, code):
    """The device that accepts `code` (consuming it: an authenticator code is not accepted
    twice, a backup code is deleted), or None. Six digits are checked against the
    authenticator, anything else against the backup codes. Raises CodeThrottled while the
    device is waiting after wrong codes."""
    code = _normalised(code)
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    throttled_until = None
    with transaction.atomic():
        devices = model.objects.filter(user=user, confirmed=True).select_for_update()
        for device in devices:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                throttled_until = info["locked_until"]
                continue
            if device.verify_token(code):
                return device
    if throttled_until is not None:
        raise CodeThrottled(throttled_until)
    return None


def remove_second_factor(user, code) -> None:
    """Turn two-factor sign-in off for the user: needs a current code (authenticator or
    backup), refused while their team (or the site) requires it."""
    if second_factor_of(user).required:
        raise RemovalRefused(
            _(
                "Your team requires two-factor sign-in, so it cannot be turned off. To move it "
                "to a new phone, set up the authenticator again."
            )
        )
    if check_code(user, code) is None:
        raise CodeRefused(_("That code is not right, or it was already used."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


# --- Lock-out (django-axes) ---------------------------------------------------------------


def _credentials(user) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def is_locked_out(request, user) -> bool:
    """True while axes locks this username out from this address."""
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def record_wrong_code(request, user) -> bool:
    """Count a wrong code as a failed sign-in of the user from this address (django-axes).
    True when it locked the user out (request.axes_locked_out is then set, so AxesMiddleware
    answers with the lock-out page or JSON)."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def sign_in_complete(request, user) -> None:
    """Every factor has passed: clear the user's failed sign-ins from this address."""
    AxesProxyHandler.reset_attempts(
        username=user.get_username(), ip_address=get_client_ip_address(request)
    )


@receiver(user_logged_in, dispatch_uid="athletes.two_factor.password_step")
def _password_step_passed(sender, request, user, **kwargs):
    """The password was right. For someone who gives a code next, the sign-in is not complete
    yet: their failures stay until the code is right."""
    if request is not None and second_factor_of(user).step is not Step.VERIFY:
        sign_in_complete(request, user)


# --- The API's token endpoint -------------------------------------------------------------

# Lazy: each is read in the language of the request that gets it.
OTP_MISSING = gettext_lazy(
    "Two-factor sign-in is on for this account: send the 6-digit code from the authenticator "
    "app (or a backup code) as otp."
)
OTP_WRONG = gettext_lazy("That code is not right, or it was already used.")
OTP_ENROL_FIRST = gettext_lazy(
    "Your team requires two-factor sign-in: sign in on the website once to set up an "
    "authenticator app, then ask for a token with its code as otp."
)


def verify_for_token(user, code, *, request) -> str | None:
    """Before an API token is handed to `user` (whose password was right): None when they may
    have it, else the message for the `otp` field (answer 400). Staff with an authenticator
    must send a current code (authenticator or backup); staff who must use two-factor sign-in
    and have not set it up get no token until they have. Wrong codes count as failed
    sign-ins, as on the page (`request` is Django's HttpRequest, for django-axes)."""
    step = second_factor_of(user).step
    if step is Step.NONE:
        return None
    if step is Step.ENROL:
        return str(OTP_ENROL_FIRST)
    if code is None or (isinstance(code, str) and not code.strip()):
        return str(OTP_MISSING)
    if isinstance(code, bool) or not isinstance(code, str | int):
        return str(OTP_WRONG)
    try:
        device = check_code(user, code)
    except CodeThrottled as throttled:
        return throttled.message
    if device is None:
        record_wrong_code(request, user)
        return str(OTP_WRONG)
    return None
