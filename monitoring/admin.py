from django.contrib import admin

from athletes.admin import ATHLETE_NAME_SEARCH
from core.admin import ReadOnlyAdmin

from .models import (
    CheckIn,
    Flag,
    Measurement,
    MetricKind,
    Notification,
    RecoveryActivity,
    SprintTrial,
    TrainingSession,
)


@admin.register(MetricKind)
class MetricKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "direction", "category", "bilateral", "swc_pct"]
    list_filter = ["category", "direction", "bilateral"]
    search_fields = ["name", "code"]


class EvidenceAdmin(ReadOnlyAdmin):
    """Check-ins, sessions and measurements are evidence: staff look at them here, and change
    them only where the services record it (PRODUCT.md §2.9): the athlete corrects a
    check-in from History, staff correct or void entries on the athlete page, each with its
    audit event and the athlete's re-evaluation (monitoring.corrections). Erasure is portal's
    privacy page. So the admin neither adds, changes nor deletes them."""


@admin.register(CheckIn)
class CheckInAdmin(EvidenceAdmin):
    list_display = [
        "athlete",
        "local_date",
        "pain_rest",
        "pain_activity",
        "pain_morning",
        "confidence",
        "readiness",
    ]
    list_filter = ["local_date"]
    search_fields = ATHLETE_NAME_SEARCH
    autocomplete_fields = ["athlete"]
    date_hierarchy = "taken_at"


@admin.register(RecoveryActivity)
class RecoveryActivityAdmin(admin.ModelAdmin):
    list_display = ["athlete", "performed_on", "kind", "minutes"]
    list_filter = ["kind"]
    autocomplete_fields = ["athlete"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(EvidenceAdmin):
    list_display = ["athlete", "date", "type", "duration_min", "rpe", "load", "top_intensity_pct"]
    list_filter = ["type", "surface"]
    search_fields = ATHLETE_NAME_SEARCH
    autocomplete_fields = ["athlete"]
    date_hierarchy = "date"


@admin.register(Measurement)
class MeasurementAdmin(EvidenceAdmin):
    list_display = ["athlete", "metric", "side", "value", "measured_at", "source"]
    list_filter = ["metric", "source"]
    search_fields = ATHLETE_NAME_SEARCH
    autocomplete_fields = ["athlete", "metric"]
    date_hierarchy = "measured_at"


@admin.register(SprintTrial)
class SprintTrialAdmin(EvidenceAdmin):
    """Recorded through monitoring.sprints (the fit and its derived measurements go with the
    trial), so read only here like the other evidence."""

    list_display = ["athlete", "measured_at", "start", "mss", "tau", "quality"]
    list_filter = ["quality", "start"]
    search_fields = ATHLETE_NAME_SEARCH
    autocomplete_fields = ["athlete"]
    date_hierarchy = "measured_at"


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["athlete", "kind", "status", "opened_at", "condition_cleared_at", "notified_at"]
    list_filter = ["kind", "status"]
    search_fields = ATHLETE_NAME_SEARCH
    readonly_fields = ["evidence", "opened_at", "notified_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "flag", "created_at", "read_at", "emailed_at"]
