"""Two-factor helpers for tests: an enrolled user, the code their authenticator shows."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from athletes.two_factor import AUTHENTICATOR_NAME, regenerate_backup_codes

# A fixed secret, so a test can compute the codes an authenticator app would show.
KEY = "3132333435363738393031323334353637383930"


def totp_code(key_hex: str = KEY, *, steps_ahead: int = 0, at: float | None = None) -> str:
    """The 6 digits an authenticator holding `key_hex` shows now (or `steps_ahead` 30-second
    steps later), computed as the app does."""
    totp = TOTP(bytes.fromhex(key_hex), step=30, digits=6)
    totp.time = (time.time() if at is None else at) + 30 * steps_ahead
    return f"{totp.token():06d}"


def wrong_code(key_hex: str = KEY) -> str:
    """Six digits that the authenticator does not show now (nor one step either side)."""
    shown = {totp_code(key_hex, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in shown)


def enrol(user, key_hex: str = KEY) -> list[str]:
    """Give `user` a confirmed authenticator and a set of backup codes (returned)."""
    TOTPDevice.objects.create(user=user, key=key_hex, name=AUTHENTICATOR_NAME, confirmed=True)
    return regenerate_backup_codes(user)


def sign_in(client, username, password="sprintback", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def verified_login(client, user):
    """A session that has given its code (as the code page leaves it)."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()


def location(response) -> str:
    return response["Location"]
