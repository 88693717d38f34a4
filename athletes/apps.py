from django.apps import AppConfig


class AthletesConfig(AppConfig):
    name = "athletes"
    verbose_name = "People, teams and athletes"

    def ready(self):
        from django.db.backends.signals import connection_created

        from config.db import install_stale_plan_retry

        # Connects the sign-in signal receivers (failed sign-ins cleared when every factor passed).
        from . import two_factor  # noqa: F401

        connection_created.connect(install_stale_plan_retry, dispatch_uid="stale-plan-retry")
