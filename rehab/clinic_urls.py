from django.urls import include, path

from . import clinic_views as views

app_name = "clinic"

# Under /clinic/requests/<pk>/: one sign-off request's decision page and what is done from it.
request_patterns = [
    path("", views.decision, name="decision"),
    path("report/", views.report, name="report"),
    path("regress/", views.regress, name="regress"),
    path("flags/<int:flag_pk>/resolve/", views.flag_resolve, name="flag-resolve"),
]

urlpatterns = [
    path("", views.queue, name="queue"),
    path("requests/<int:pk>/", include(request_patterns)),
]
