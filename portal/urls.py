"""The portal's pages: home, health check, the athlete's own pages under /me/ (with the
service worker and manifest of their installable app), and an athlete's data on request
(export, erase) under the coach pages' addresses."""

from django.urls import include, path

from . import me_views, privacy_views, reminder_views, views

me_patterns = [
    path("", me_views.today, name="today"),
    path("plan/", me_views.plan, name="plan"),
    path("recovery/", me_views.recovery, name="recovery"),
    path("history/", me_views.history, name="history"),
    path("checkins/<int:pk>/", me_views.checkin_edit, name="checkin-edit"),
    path("reminders/", reminder_views.reminders_page, name="reminders"),
]

# The coach's suggestion, posted from the athlete page (/coach/athletes/<pk>/).
reminder_patterns = [
    path("athletes/<int:pk>/reminder/", reminder_views.suggest, name="suggest"),
]

privacy_patterns = [
    path("athletes/<int:pk>/export.json", privacy_views.export_json, name="athlete-export"),
    path("athletes/<int:pk>/erase/", privacy_views.erase, name="athlete-erase"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("coach/", include((privacy_patterns, "privacy"))),
    path("coach/", include((reminder_patterns, "reminders"))),
    path("me/", include((me_patterns, "me"))),
    path("sw.js", me_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", me_views.manifest, name="manifest"),
]
