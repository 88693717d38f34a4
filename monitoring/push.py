"""Web Push: store a browser's subscription, and send one message to it (VAPID, RFC 8292;
payload encrypted aes128gcm, RFC 8291) through pywebpush.

A push service answering 404 or 410 says the subscription is gone for good (the person
turned notifications off, uninstalled the app): the row is deleted. Any other failure is
reported and the row kept."""

import enum
import logging
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pywebpush import WebPushException, webpush

from core.vapid import b64url_decode

from .models import PushSubscription

logger = logging.getLogger(__name__)

# A reminder a phone receives hours late is no longer useful: push services drop it after this.
PUSH_TTL_SECONDS = 6 * 3600
PUSH_TIMEOUT_SECONDS = 10
P256DH_BYTES = 65
AUTH_BYTES = 16


class PushOutcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # 404/410: the subscription was deleted
    FAILED = "failed"


def push_enabled() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY)


def clean_subscription(endpoint, p256dh, auth) -> dict:
    """The subscription's fields checked one by one; ValidationError by field otherwise:
    an https endpoint with a host, a P-256 public point and a 16-byte auth secret (base64url)."""
    errors = {}
    endpoint = endpoint if isinstance(endpoint, str) else ""
    try:
        parts = urlsplit(endpoint) if endpoint.isascii() else None
        host = parts.hostname if parts else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = host = None
    if (
        parts is None
        or parts.scheme != "https"
        or not host
        or len(endpoint) > PushSubscription._meta.get_field("endpoint").max_length
        or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in endpoint)
    ):
        errors["endpoint"] = _("Give the push service's https address.")
    try:
        point = b64url_decode(p256dh)
        if len(point) != P256DH_BYTES:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, TypeError):
        errors["p256dh"] = _("Give the browser's P-256 public key (65 bytes, base64url).")
    try:
        if len(b64url_decode(auth)) != AUTH_BYTES:
            raise ValueError
    except (ValueError, TypeError):
        errors["auth"] = _("Give the 16-byte auth secret, base64url.")
    if errors:
        raise ValidationError(errors)
    return {"endpoint": endpoint, "p256dh": p256dh.rstrip("="), "auth": auth.rstrip("=")}


def save_subscription(user, *, endpoint, p256dh, auth) -> PushSubscription:
    """Store the subscription for `user`, once per endpoint: the same endpoint again (the
    browser subscribing again, or another person signing in on it) updates the one row."""
    values = clean_subscription(endpoint, p256dh, auth)
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=values["endpoint"],
            defaults={"user": user, "p256dh": values["p256dh"], "auth": values["auth"]},
        )
    return subscription


def delete_subscription(user, endpoint) -> int:
    """Remove the user's own subscription with this endpoint (another person's stays)."""
    deleted, _by_model = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted


def send_push(subscription: PushSubscription, payload: str) -> PushOutcome:
    """Send `payload` (text, encrypted for this subscription) once. 404/410 deletes the row."""
    if not push_enabled():
        return PushOutcome.FAILED
    try:
        webpush(
            subscription_info=subscription.info(),
            data=payload,
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            # A fresh dict each time: pywebpush writes `aud` and `exp` into it.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
            headers={"Urgency": "normal"},
        )
    except WebPushException as refused:
        status = getattr(refused.response, "status_code", None)
        if status in (404, 410):
            subscription.delete()
            return PushOutcome.GONE
        logger.warning("push to subscription %s refused: %s", subscription.pk, status)
        return PushOutcome.FAILED
    except (requests.RequestException, ValueError, TypeError):
        logger.warning("push to subscription %s failed", subscription.pk, exc_info=True)
        return PushOutcome.FAILED
    return PushOutcome.SENT
