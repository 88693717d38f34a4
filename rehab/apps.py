from django.apps import AppConfig


class RehabConfig(AppConfig):
    name = "rehab"
    verbose_name = "Rehab protocols, plans and sign-off"

    def ready(self):
        # Register the Celery tasks in every process, not only in workers (whose autodiscovery
        # imports them): the change queue wakes its consumer by name (athletes.evaluation).
        from . import tasks  # noqa: F401
