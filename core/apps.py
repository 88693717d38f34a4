from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing: API base classes, Idempotency-Key, database helpers, error handlers,
    parsers, logging. Imports no other app of ours."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Plumbing"
