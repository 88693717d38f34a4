"""VAPID keys for Web Push (RFC 8292): the application server's P-256 key pair, as the
browser (PushManager.subscribe's applicationServerKey) and pywebpush take them.

Both keys travel as base64url without padding: the private key as its raw 32-byte scalar,
the public key as the uncompressed point (65 bytes, starting 0x04). settings.py reads them
from the environment; in development, when they are unset, `development_keys` makes a pair
once and keeps it in a file (gitignored), so push works with no configuration."""

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; ValueError on anything else."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    if any(c not in _ALPHABET for c in stripped):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def public_key_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def new_key_pair() -> tuple[str, str]:
    """(private, public), both base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big")), public_key_of(key)


def public_key_for(private: str) -> str:
    """The public key of a base64url private key; ValueError when it is not one."""
    raw = b64url_decode(private)
    if len(raw) != 32:
        raise ValueError("a VAPID private key is 32 bytes")
    return public_key_of(ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1()))


def development_keys(path: Path) -> tuple[str, str]:
    """The key pair kept in `path` (JSON), made on first use."""
    if path.exists():
        stored = json.loads(path.read_text())
        return stored["private_key"], stored["public_key"]
    private, public = new_key_pair()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"private_key": private, "public_key": public}))
    path.chmod(0o600)
    return private, public
