"""API tokens: one per device, stored as a digest, usable until they expire, the password
changes or is reset, or the account is deactivated or erased.

Revocation follows the user row, whatever code path wrote it: each token keeps a fingerprint
of the password hash it was issued under, and authentication (athletes.authentication) refuses
a token whose fingerprint no longer matches, whose expiry has passed, or whose user is
inactive. The rows of such tokens are deleted when the user row is saved with a new password
or as inactive (revoke_tokens_with_the_user_row, connected in athletes.apps), and whenever the
user is issued a new token; a row left behind (a password written by a queryset update) is
already useless.

The token itself is made and hashed by django-rest-knox (64 hex characters from os.urandom,
SHA-512 digest); it is shown once, to whoever asked for it.
"""

import hashlib
import hmac
import re
import unicodedata
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import get_digest_token
from knox.settings import CONSTANTS, knox_settings

from .models import ApiToken

DEFAULT_NAME = "Unnamed device"
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length

# What knox issues: AUTH_TOKEN_CHARACTER_LENGTH hex characters (no TOKEN_PREFIX here).
_TOKEN_SHAPE = re.compile(f"[0-9a-f]{{{knox_settings.AUTH_TOKEN_CHARACTER_LENGTH}}}")


def token_lifetime() -> timedelta:
    """How long a person's token works: API_TOKEN_TTL_DAYS (REST_KNOX's TOKEN_TTL)."""
    return knox_settings.TOKEN_TTL


def looks_like_a_token(key: str) -> bool:
    """Whether `key` could be a token we issued; anything else (an old 40-character DRF token,
    garbage) is refused without a query."""
    return _TOKEN_SHAPE.fullmatch(key) is not None


def password_fingerprint(password_hash: str) -> str:
    """Stored with each token. The password hash changes with every password change or reset
    (a new salt, even for the same password) and with set_unusable_password(). A digest of it,
    not the hash itself, so the token table holds nothing that helps guess the password."""
    return hashlib.sha256(f"sprintback api token:{password_hash}".encode()).hexdigest()


class TokenState(models.TextChoices):
    """Whether a token may be used, or what ended it (derived on each request, not stored)."""

    LIVE = "live", _("Works")
    EXPIRED = "expired", _("Expired")
    PASSWORD_CHANGED = "password_changed", _("Ended by a password change")
    INACTIVE = "inactive", _("Account deactivated")


# The 401's message to a client whose token matched but may not be used.
REFUSALS = {
    TokenState.EXPIRED: "Token expired; request a new one.",
    TokenState.PASSWORD_CHANGED: "Token revoked (the password changed); request a new one.",
    TokenState.INACTIVE: "User inactive or deleted.",
}


def state_of(token: ApiToken, user, *, now) -> TokenState:
    """Whether this token may be used now (LIVE) or what ended it. The digest has already
    matched (athletes.authentication); live_tokens_of() is the same as a query."""
    if not user.is_active:
        return TokenState.INACTIVE
    if token.expiry is not None and token.expiry <= now:
        return TokenState.EXPIRED
    if not hmac.compare_digest(token.password_fingerprint, password_fingerprint(user.password)):
        return TokenState.PASSWORD_CHANGED
    return TokenState.LIVE


# --- reads ----------------------------------------------------------------------------------


def live_tokens_of(user, *, now=None) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first: state_of() as a query."""
    now = now or timezone.now()
    if not user.is_active:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=now),
        user=user,
        password_fingerprint=password_fingerprint(user.password),
    ).order_by("-created", "-pk")


# --- writes ---------------------------------------------------------------------------------


def clean_token_name(name: str) -> str:
    """The device name as stored: spaces collapsed, no control characters (ValidationError),
    at most NAME_MAX_LENGTH characters; DEFAULT_NAME when blank."""
    name = " ".join((name or "").split())
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in name):
        raise ValidationError("Use letters, digits, spaces and punctuation only.")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(f"Use at most {NAME_MAX_LENGTH} characters.")
    return name or DEFAULT_NAME


def issue_token(user, *, name: str = "", integration: bool = False) -> tuple[ApiToken, str]:
    """A new token for `user` on one device: the stored row and the token itself (shown once,
    never stored). Expires after API_TOKEN_TTL_DAYS (REST_KNOX TOKEN_TTL); an integration
    token never does (only the admin makes those)."""
    token = ApiToken(user=user, name=name, is_integration=integration)
    return token, save_new_token(token)


def save_new_token(token: ApiToken) -> str:
    """Fill in an unsaved token's digest, expiry and password fingerprint, save it, and return
    the token itself. Deletes the user's tokens that no longer work first, so dead rows do
    not pile up."""
    purge_dead_tokens(token.user)
    digest, plain = get_digest_token()
    token.digest, token.token_key = digest, plain[: CONSTANTS.TOKEN_KEY_LENGTH]
    token.name = clean_token_name(token.name)
    token.expiry = None if token.is_integration else timezone.now() + token_lifetime()
    token.password_fingerprint = password_fingerprint(token.user.password)
    token.save()
    return plain


def revoke_own_token(user, pk) -> ApiToken:
    """Delete one of the user's own tokens (404 for anyone else's, or one already gone)."""
    token = get_object_or_404(ApiToken.objects.filter(user=user), pk=pk)
    token.delete()
    return token


def purge_dead_tokens(user, *, now=None) -> int:
    """Delete the user's tokens that can no longer be used (all of them if the user is
    inactive). Returns how many."""
    now = now or timezone.now()
    dead = ApiToken.objects.filter(user=user)
    if user.is_active:
        dead = dead.filter(
            Q(expiry__lte=now) | ~Q(password_fingerprint=password_fingerprint(user.password))
        )
    deleted, _rows = dead.delete()
    return deleted


def revoke_tokens_with_the_user_row(sender, instance, created, update_fields, raw, **kwargs):
    """post_save of the user model: a save that may have changed the password or deactivated
    the account (a full save, or one naming either field) deletes the tokens it ended. One
    DELETE; saves of other fields alone (last_login at sign-in) cost nothing."""
    if created or raw:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    purge_dead_tokens(instance)
