from django.urls import path

from . import correction_views, views

app_name = "coach"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("athletes/<int:pk>/", views.athlete_detail, name="athlete"),
    path("athletes/<int:pk>/advance/", views.advance, name="advance"),
    path("athletes/<int:pk>/audit.csv", views.audit_csv, name="audit-csv"),
    path("athletes/<int:pk>/regress/", views.regress, name="regress"),
    path("athletes/<int:pk>/assign/", views.assign, name="assign"),
    path("athletes/<int:pk>/sessions/new/", views.session_new, name="session-new"),
    path("athletes/<int:pk>/measurements/new/", views.measurement_new, name="measurement-new"),
    path(
        "athletes/<int:pk>/checkins/<int:entry_pk>/void/",
        correction_views.checkin_void,
        name="checkin-void",
    ),
    path(
        "athletes/<int:pk>/sessions/<int:entry_pk>/edit/",
        correction_views.session_edit,
        name="session-edit",
    ),
    path(
        "athletes/<int:pk>/sessions/<int:entry_pk>/void/",
        correction_views.session_void,
        name="session-void",
    ),
    path(
        "athletes/<int:pk>/measurements/<int:entry_pk>/edit/",
        correction_views.measurement_edit,
        name="measurement-edit",
    ),
    path(
        "athletes/<int:pk>/measurements/<int:entry_pk>/void/",
        correction_views.measurement_void,
        name="measurement-void",
    ),
    path("measurements/import/", views.measurement_import, name="measurement-import"),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/<int:protocol_pk>/copy/", views.protocol_copy, name="protocol-copy"),
    path("protocols/<int:protocol_pk>/edit/", views.protocol_edit, name="protocol-edit"),
    path(
        "athletes/<int:pk>/flags/<int:flag_pk>/acknowledge/",
        views.flag_acknowledge,
        name="flag-acknowledge",
    ),
    path("athletes/<int:pk>/flags/<int:flag_pk>/resolve/", views.flag_resolve, name="flag-resolve"),
]
