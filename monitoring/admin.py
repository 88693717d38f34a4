from django import forms
from django.contrib import admin

from .models import (
    CheckIn,
    Flag,
    Measurement,
    MetricKind,
    Notification,
    RecoveryActivity,
    TrainingSession,
)


@admin.register(MetricKind)
class MetricKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "direction", "category", "bilateral", "swc_pct"]
    list_filter = ["category", "direction", "bilateral"]
    search_fields = ["name", "code"]


class CheckInAdminForm(forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = "__all__"  # noqa: DJ007 (the admin chooses the fields: ModelAdmin.get_form)

    def clean(self):
        # One check-in per athlete and day among those in force: the constraint's condition
        # reads voided_at, which this form does not show, so Django's own check skips it.
        data = super().clean()
        athlete, day = data.get("athlete"), data.get("local_date")
        if athlete is not None and day is not None and not self.instance.is_voided:
            others = CheckIn.objects.filter(athlete=athlete, local_date=day)
            if others.exclude(pk=self.instance.pk).exists():
                self.add_error("local_date", "This athlete already has a check-in for that day.")
        return data


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    form = CheckInAdminForm
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
    search_fields = ["athlete__first_name", "athlete__last_name"]
    autocomplete_fields = ["athlete"]
    date_hierarchy = "taken_at"


@admin.register(RecoveryActivity)
class RecoveryActivityAdmin(admin.ModelAdmin):
    list_display = ["athlete", "performed_on", "kind", "minutes"]
    list_filter = ["kind"]
    autocomplete_fields = ["athlete"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["athlete", "date", "type", "duration_min", "rpe", "load", "top_intensity_pct"]
    list_filter = ["type", "surface"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    autocomplete_fields = ["athlete"]
    date_hierarchy = "date"


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["athlete", "metric", "side", "value", "measured_at", "source"]
    list_filter = ["metric", "source"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    autocomplete_fields = ["athlete", "metric"]
    date_hierarchy = "measured_at"


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["athlete", "kind", "status", "opened_at", "condition_cleared_at", "notified_at"]
    list_filter = ["kind", "status"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    readonly_fields = ["evidence", "opened_at", "notified_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "flag", "created_at", "read_at", "emailed_at"]
