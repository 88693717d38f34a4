"""The coach's pages under /coach/ and the clinician's under /clinic/."""

from django.urls import include, path

from . import (
    clinic_views,
    correction_views,
    log_views,
    phase_views,
    protocol_views,
    record_views,
    views,
)

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
    path("complete/", phase_views.complete, name="plan-complete"),
    # The athlete's record: the athlete, injuries, baselines.
    path("edit/", record_views.athlete_edit, name="athlete-edit"),
    path("archive/", record_views.athlete_archive, name="athlete-archive"),
    path("device-ids/", record_views.athlete_external_id, name="athlete-external-id"),
    path("injuries/new/", record_views.injury_new, name="injury-new"),
    path("injuries/<int:injury_pk>/edit/", record_views.injury_edit, name="injury-edit"),
    path("injuries/<int:injury_pk>/close/", record_views.injury_close, name="injury-close"),
    path("baselines/", record_views.baselines, name="baselines"),
    # Logging.
    path("sessions/new/", log_views.session_new, name="session-new"),
    path("measurements/new/", log_views.measurement_new, name="measurement-new"),
    path("sprints/new/", log_views.sprint_new, name="sprint-new"),
    path("sprints/<int:sprint_pk>/", log_views.sprint_detail, name="sprint"),
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
    path("sprints/<int:entry_pk>/void/", correction_views.sprint_void, name="sprint-void"),
]

# Under /coach/protocols/: the protocol editor.
protocol_patterns = [
    path("", protocol_views.protocol_list, name="protocols"),
    path("import/", protocol_views.protocol_import, name="protocol-import"),
    path("<int:protocol_pk>/", protocol_views.protocol_detail, name="protocol"),
    path("<int:protocol_pk>/export.json", protocol_views.protocol_export, name="protocol-export"),
    path("<int:protocol_pk>/copy/", protocol_views.protocol_copy, name="protocol-copy"),
    path("<int:protocol_pk>/edit/", protocol_views.protocol_edit, name="protocol-edit"),
]

coach_patterns = [
    path("", views.roster, name="roster"),
    path("athletes/new/", record_views.athlete_new, name="athlete-new"),
    path("athletes/archived/", record_views.archived_athletes, name="athletes-archived"),
    path("athletes/<int:pk>/", include(athlete_patterns)),
    path("measurements/import/", log_views.measurement_import, name="measurement-import"),
    path("protocols/", include(protocol_patterns)),
]

# Under /clinic/requests/<pk>/: one sign-off request's decision page and what is done from it.
request_patterns = [
    path("", clinic_views.decision, name="decision"),
    path("report/", clinic_views.report, name="report"),
    path("regress/", clinic_views.regress, name="regress"),
    path("flags/<int:flag_pk>/resolve/", clinic_views.flag_resolve, name="flag-resolve"),
]

clinic_patterns = [
    path("", clinic_views.queue, name="queue"),
    path("requests/<int:pk>/", include(request_patterns)),
]

urlpatterns = [
    path("coach/", include((coach_patterns, "coach"))),
    path("clinic/", include((clinic_patterns, "clinic"))),
]
