"""The check-in endpoint: the busiest write (every athlete, every day), its correction and void."""

import copy

from rest_framework import serializers

from athletes.access import ScopedAthleteField
from athletes.models import Role
from core.api import Conflict
from core.plausibility import validate_log_time
from core.serializers import DateField, DateTimeField

from .. import corrections, services
from ..models import CheckIn
from .base import (
    CorrectableViewSet,
    RecordedEntry,
    correction_reason,
    filter_for,
)


def _score(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=10, **kwargs)


def _optional_score(help_text="0–10"):
    return _score(allow_null=True, required=False, help_text=help_text)


# Declared field by field rather than introspected from the model for every request (a
# ModelSerializer rebuilds its fields per instance, and this is the busiest POST).
# tests/monitoring/test_checkin_serializer.py holds it equal to what a ModelSerializer of CheckIn
# with the service's CHECKIN_FIELDS builds, so the two cannot drift.
class CheckInSerializer(RecordedEntry, serializers.Serializer):
    recorded_by = {Role.ATHLETE, Role.COACH, Role.CLINICIAN}

    id = serializers.BigIntegerField(label="ID", read_only=True)
    athlete = ScopedAthleteField()
    taken_at = DateTimeField(
        required=False,
        help_text="ISO 8601; defaults to now; may be past (from 2000 on), never future.",
        validators=[validate_log_time],
    )
    local_date = DateField(read_only=True, help_text="The athlete's calendar day of taken_at.")
    pain_rest = _score()
    pain_activity = _score()
    pain_morning = _score()
    pain_location = serializers.CharField(allow_blank=True, max_length=120, required=False)
    soreness_injured = _optional_score("Soreness/tightness of the injured region, 0–10.")
    soreness_other = _optional_score("Same region on the other side, 0–10.")
    sleep_hours = serializers.DecimalField(
        allow_null=True, decimal_places=1, max_digits=3, max_value=24, min_value=0, required=False
    )
    sleep_quality = _optional_score()
    confidence = _optional_score()
    readiness = _optional_score()
    note = serializers.CharField(
        allow_blank=True, max_length=1000, required=False, style={"base_template": "textarea.html"}
    )
    created_at = DateTimeField(read_only=True)
    voided_at = DateTimeField(allow_null=True, default=None, read_only=True)
    voided_by = serializers.IntegerField(source="voided_by_id", read_only=True, allow_null=True)
    void_reason = serializers.CharField(read_only=True, style={"base_template": "textarea.html"})

    def get_fields(self):
        # DRF deep-copies every declared field, arguments and all, for each instance: 1.7 ms
        # of a check-in POST's 11 (bench/README.md, check-in ingestion, 2026-12-03), which
        # the endpoint cannot spare to stay above half the bare view's throughput. The
        # declared fields are never bound themselves (every instance gets copies), and once
        # built a field's arguments, messages and validators are only read, so a shallow copy
        # is an independent field: bind() sets its name and parent on the copy.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def record(self, athlete, *, by, values):
        taken_at = values.pop("taken_at", None)
        return services.record_checkin(athlete, by=by, values=values, taken_at=taken_at).checkin


class CheckInCorrectionSerializer(serializers.Serializer):
    """A correction: any of the check-in's values and its time; `reason` is required unless
    the athlete corrects their own."""

    taken_at = DateTimeField(required=False, validators=[validate_log_time])
    pain_rest = _score(required=False)
    pain_activity = _score(required=False)
    pain_morning = _score(required=False)
    pain_location = serializers.CharField(allow_blank=True, max_length=120, required=False)
    soreness_injured = _optional_score()
    soreness_other = _optional_score()
    sleep_hours = serializers.DecimalField(
        allow_null=True, decimal_places=1, max_digits=3, max_value=24, min_value=0, required=False
    )
    sleep_quality = _optional_score()
    confidence = _optional_score()
    readiness = _optional_score()
    note = serializers.CharField(allow_blank=True, max_length=1000, required=False)
    reason = correction_reason()


def _correct_checkin(entry, *, by, values, reason):
    taken_at = values.pop("taken_at", None)
    return corrections.correct_checkin(
        entry, by=by, values=values, taken_at=taken_at, reason=reason
    )


class CheckInViewSet(CorrectableViewSet):
    """Daily check-ins. Athletes post and correct their own; staff read their teams', correct
    them with a reason and void those entered in error."""

    serializer_class = CheckInSerializer
    correction_serializer_class = CheckInCorrectionSerializer
    model = CheckIn
    correct = staticmethod(_correct_checkin)
    void_service = staticmethod(corrections.void_checkin)
    filterset_class = filter_for(CheckIn, "taken_at")
    ordering_fields = ["taken_at", "created_at"]
    ordering = ["-taken_at"]
    athlete_actions = ("create", "partial_update")

    def perform_create(self, serializer):
        try:
            serializer.save()
        except services.CheckInConflict as conflict:
            raise Conflict(
                "A check-in for that day already exists; edit it instead.",
                existing=conflict.existing.pk,
            ) from None
