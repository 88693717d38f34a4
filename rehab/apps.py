from django.apps import AppConfig


class RehabConfig(AppConfig):
    name = "rehab"
    verbose_name = "Rehab protocols, plans and sign-off"
