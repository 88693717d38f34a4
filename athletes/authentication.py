"""API authentication. Kept apart from core.api: DRF imports these classes while its own
views module is still loading, so this module may import nothing that needs DRF's views."""

import hmac

from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import authentication, exceptions

from .models import ApiToken
from .tokens import REFUSALS, TokenState, looks_like_a_token, state_of


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <token>` with django-rest-knox's tokens (athletes.ApiToken: hashed,
    per device, expiring, ended by a password change), loading the user and the user's own
    athlete record (if any) with the token in one query (select_related): an athlete posting
    their own check-in then needs no second query to resolve it (see
    athletes.access.own_athlete_if_loaded).

    As knox's own TokenAuthentication: the rows are found by the token's first characters
    (knox's token_key) and one is accepted only if its stored digest equals knox's digest of
    the whole token, compared in constant time. Unlike knox's, it neither renews nor deletes
    tokens on the way: whether a token may still be used (expiry, password, active user) is
    athletes.tokens.state_of's call, and dead rows go when the user row changes."""

    def authenticate_credentials(self, key):
        token = self.matching_token(key) if looks_like_a_token(key) else None
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        state = state_of(token, token.user, now=timezone.now())
        if state != TokenState.LIVE:
            raise exceptions.AuthenticationFailed(REFUSALS[state])
        return token.user, token

    @staticmethod
    def matching_token(key: str) -> ApiToken | None:
        """The token row whose digest matches `key`, with its user and the user's own athlete
        record (None for staff) loaded, or None."""
        candidates = ApiToken.objects.select_related("user", "user__athlete_profile").filter(
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]
        )
        digest = hash_token(key)
        # Normally one row; two tokens may share a prefix (15 hex characters: 60 bits).
        return next((t for t in candidates if hmac.compare_digest(t.digest, digest)), None)
