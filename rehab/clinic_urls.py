from django.urls import path

from . import clinic_views as views

app_name = "clinic"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("requests/<int:pk>/", views.decision, name="decision"),
    path("requests/<int:pk>/report/", views.report, name="report"),
    path("requests/<int:pk>/regress/", views.regress, name="regress"),
    path(
        "requests/<int:pk>/flags/<int:flag_pk>/resolve/",
        views.flag_resolve,
        name="flag-resolve",
    ),
]
