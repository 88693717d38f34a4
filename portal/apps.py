from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top layer: pages and orchestration that span the domain apps (the athlete's phone
    pages, the landing page and /healthz, privacy export and erasure, the demo data)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
