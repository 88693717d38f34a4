from django.urls import include, path

from . import correction_views, log_views, phase_views, protocol_views, views

app_name = "coach"

# Under /coach/athletes/<pk>/: the athlete page and what is done from it, by page family.
athlete_patterns = [
    # The page, its audit trail, its flags.
    path("", views.athlete_detail, name="athlete"),
    path("audit.csv", views.audit_csv, name="audit-csv"),
    path("flags/<int:flag_pk>/acknowledge/", views.flag_acknowledge, name="flag-acknowledge"),
    path("flags/<int:flag_pk>/resolve/", views.flag_resolve, name="flag-resolve"),
    # Phase actions.
    path("advance/", phase_views.advance, name="advance"),
    path("regress/", phase_views.regress, name="regress"),
    path("assign/", phase_views.assign, name="assign"),
    # Logging.
    path("sessions/new/", log_views.session_new, name="session-new"),
    path("measurements/new/", log_views.measurement_new, name="measurement-new"),
    # Corrections.
    path("checkins/<int:entry_pk>/void/", correction_views.checkin_void, name="checkin-void"),
    path("sessions/<int:entry_pk>/edit/", correction_views.session_edit, name="session-edit"),
    path("sessions/<int:entry_pk>/void/", correction_views.session_void, name="session-void"),
    path(
        "measurements/<int:entry_pk>/edit/",
        correction_views.measurement_edit,
        name="measurement-edit",
    ),
    path(
        "measurements/<int:entry_pk>/void/",
        correction_views.measurement_void,
        name="measurement-void",
    ),
]

# Under /coach/protocols/: the protocol editor.
protocol_patterns = [
    path("", protocol_views.protocol_list, name="protocols"),
    path("<int:protocol_pk>/copy/", protocol_views.protocol_copy, name="protocol-copy"),
    path("<int:protocol_pk>/edit/", protocol_views.protocol_edit, name="protocol-edit"),
]

urlpatterns = [
    path("", views.roster, name="roster"),
    path("athletes/<int:pk>/", include(athlete_patterns)),
    path("measurements/import/", log_views.measurement_import, name="measurement-import"),
    path("protocols/", include(protocol_patterns)),
]
