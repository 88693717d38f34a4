"""API authentication. Kept apart from config.api: DRF imports these classes while its own
views module is still loading, so this module may import nothing that needs DRF's views."""

from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, loading the user's own athlete record (if any) in the same
    query: an athlete posting their own check-in then needs no second query to resolve it
    (see config.api.ScopedAthleteField)."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__athlete_profile").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
