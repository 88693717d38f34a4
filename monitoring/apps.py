from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring: check-ins, sessions, measurements, flags"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_on_login

        # The person's language is read once, at sign-in, not on every page.
        user_logged_in.connect(remember_on_login, dispatch_uid="monitoring.language")
