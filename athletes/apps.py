from django.apps import AppConfig


class AthletesConfig(AppConfig):
    name = "athletes"
    verbose_name = "People, teams and athletes"

    def ready(self):
        from django.db.backends.signals import connection_created

        from config.db import install_stale_plan_retry

        connection_created.connect(install_stale_plan_retry, dispatch_uid="stale-plan-retry")
