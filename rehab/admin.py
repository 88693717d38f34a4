from django.contrib import admin

from athletes.admin import ATHLETE_NAME_SEARCH, MetricRowInline
from core.admin import ReadOnlyAdmin

from .gate_summary import queue_protocol
from .models import (
    PHASE_CHANGE_FIELDS,
    GateCriterion,
    Phase,
    PhaseChange,
    Plan,
    Protocol,
    SignOffDecision,
    SignOffRequest,
)


class JudgedByProtocol:
    """Saving or deleting here changes how the protocol's active plans are judged: their
    athletes are queued for evaluation, as after the protocol editor (rehab.gate_summary)."""

    @staticmethod
    def protocol_id(obj) -> int:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        queue_protocol(self.protocol_id(form.instance))

    def delete_model(self, request, obj):
        protocol_id = self.protocol_id(obj)
        super().delete_model(request, obj)
        queue_protocol(protocol_id)


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    exclude = ["goals", "content"]  # long texts: edited on the phase's own page
    show_change_link = True


@admin.register(Protocol)
class ProtocolAdmin(JudgedByProtocol, admin.ModelAdmin):
    list_display = [
        "name",
        "muscle_group",
        "team",
        "is_template",
        "pain_threshold",
        "pain_persist_hours",
        "missed_checkin_days",
    ]
    list_filter = ["muscle_group", "is_template", "team"]
    search_fields = ["name"]
    inlines = [PhaseInline]

    @staticmethod
    def protocol_id(obj):
        return obj.pk


class GateInline(MetricRowInline):
    model = GateCriterion


@admin.register(Phase)
class PhaseAdmin(JudgedByProtocol, admin.ModelAdmin):
    list_display = ["__str__", "protocol", "max_velocity_pct", "needs_clinical_review"]
    list_filter = ["protocol", "needs_clinical_review"]
    search_fields = ["name", "protocol__name"]
    inlines = [GateInline]

    @staticmethod
    def protocol_id(obj):
        return obj.protocol_id


@admin.register(GateCriterion)
class GateCriterionAdmin(JudgedByProtocol, admin.ModelAdmin):
    list_display = ["__str__", "phase", "kind", "metric", "threshold", "window"]
    list_filter = ["kind", "phase__protocol"]
    autocomplete_fields = ["phase", "metric"]

    @staticmethod
    def protocol_id(obj):
        return obj.phase.protocol_id


class PhaseChangeInline(admin.TabularInline):
    model = PhaseChange
    extra = 0
    can_delete = False
    readonly_fields = PHASE_CHANGE_FIELDS

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["athlete", "protocol", "current_phase", "status", "phase_entered_at"]
    list_filter = ["status", "protocol"]
    search_fields = ATHLETE_NAME_SEARCH
    autocomplete_fields = ["athlete", "injury", "protocol", "current_phase"]
    inlines = [PhaseChangeInline]


@admin.register(PhaseChange)
class PhaseChangeAdmin(admin.ModelAdmin):
    """Phase history is append-only: it can be read here, never edited."""

    list_display = ["plan", "kind", "from_phase", "to_phase", "changed_by", "changed_at"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SignOffRequest)
class SignOffRequestAdmin(admin.ModelAdmin):
    list_display = ["plan", "kind", "target_phase", "status", "requested_by", "requested_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["evidence"]


@admin.register(SignOffDecision)
class SignOffDecisionAdmin(ReadOnlyAdmin):
    """Decisions are made on the clinician's page and can never be edited or deleted."""

    list_display = ["request", "decision", "decided_by", "decided_role", "decided_at"]
    list_filter = ["decision"]
