"""The monitoring app's pages: a person's notifications under /notifications/."""

from django.urls import include, path

from . import notification_views

notification_patterns = [
    path("", notification_views.notification_list, name="list"),
    path("<int:pk>/read/", notification_views.notification_read, name="read"),
    path("read-all/", notification_views.notification_read_all, name="read-all"),
    path("preferences/", notification_views.preferences, name="preferences"),
]

urlpatterns = [
    path("notifications/", include((notification_patterns, "notifications"))),
]
