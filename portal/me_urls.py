from django.urls import path

from . import me_views

app_name = "me"

urlpatterns = [
    path("", me_views.today, name="today"),
    path("plan/", me_views.plan, name="plan"),
    path("recovery/", me_views.recovery, name="recovery"),
    path("history/", me_views.history, name="history"),
    path("checkins/<int:pk>/", me_views.checkin_edit, name="checkin-edit"),
]
