from django.contrib import admin

from athletes.admin import ATHLETE_NAME_SEARCH, MetricRowInline
from core.admin import ReadOnlyAdmin

from . import protocol_log
from .gate_summary import queue_protocol
from .models import (
    PHASE_CHANGE_FIELDS,
    Citation,
    GateCriterion,
    Phase,
    PhaseChange,
    Plan,
    Protocol,
    ProtocolChange,
    RetestSchedule,
    SignOffDecision,
    SignOffRequest,
)


class JudgedByProtocol:
    """Saving or deleting here changes how the protocol's active plans are judged: their
    athletes are queued for evaluation, as after the protocol editor (rehab.gate_summary).
    And the protocol's change log keeps what changed (rehab.protocol_log), as the editor's."""

    @staticmethod
    def protocol_id(obj) -> int:
        raise NotImplementedError

    def _before(self, obj):
        """The protocol as stored, before this save or delete (None for a new protocol)."""
        if isinstance(obj, Protocol) and obj._state.adding:
            return None
        protocol_id = self.protocol_id(obj)
        return protocol_log.snapshot(protocol_id) if protocol_id else None

    def _log(self, request, protocol_id, before):
        protocol = Protocol.objects.filter(pk=protocol_id).first()
        if before is not None and protocol is not None:
            protocol_log.record_edit(
                protocol, before, by=request.user, kind=ProtocolChange.Kind.ADMIN
            )

    def save_model(self, request, obj, form, change):
        # Read from the database: the form has already changed `obj` itself.
        request._protocol_before = self._before(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        protocol_id = self.protocol_id(form.instance)
        self._log(request, protocol_id, getattr(request, "_protocol_before", None))
        queue_protocol(protocol_id)

    def delete_model(self, request, obj):
        protocol_id = self.protocol_id(obj)
        before = None if isinstance(obj, Protocol) else self._before(obj)
        super().delete_model(request, obj)
        self._log(request, protocol_id, before)
        queue_protocol(protocol_id)


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    exclude = ["goals", "content"]  # long texts: edited on the phase's own page
    show_change_link = True


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["rule", "gate", "doi", "url", "note", "strength", "order"]
    raw_id_fields = ["gate"]


class ProtocolChangeInline(admin.TabularInline):
    """The change log, read-only: kept for good."""

    model = ProtocolChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_at", "changed_by", "kind", "changes"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


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
    inlines = [PhaseInline, CitationInline, ProtocolChangeInline]

    @staticmethod
    def protocol_id(obj):
        return obj.pk


class GateInline(MetricRowInline):
    model = GateCriterion


class RetestInline(MetricRowInline):
    model = RetestSchedule


@admin.register(Phase)
class PhaseAdmin(JudgedByProtocol, admin.ModelAdmin):
    list_display = ["__str__", "protocol", "max_velocity_pct", "needs_clinical_review"]
    list_filter = ["protocol", "needs_clinical_review"]
    search_fields = ["name", "protocol__name"]
    inlines = [GateInline, RetestInline]

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
