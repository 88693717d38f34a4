from django.apps import AppConfig


class AthletesConfig(AppConfig):
    name = "athletes"
    verbose_name = "People, teams and athletes"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_save

        # Connects the sign-in signal receivers (failed sign-ins cleared when every factor passed).
        from . import two_factor  # noqa: F401
        from .tokens import revoke_tokens_with_the_user_row

        # API tokens end with the password and the account, whichever code path saves them.
        post_save.connect(
            revoke_tokens_with_the_user_row,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="api-tokens-follow-the-user",
        )
