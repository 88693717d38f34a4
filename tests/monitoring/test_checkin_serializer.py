"""The check-in serializer is declared field by field (for speed); it must stay what DRF would
build from the model and the service's list of values."""

from rest_framework import serializers

from athletes.access import ScopedAthleteField
from core.plausibility import validate_log_time
from core.serializers import DateTimeField, ModelSerializer
from monitoring import services
from monitoring.api import CheckInSerializer
from monitoring.models import CheckIn


class ModelCheckInSerializer(ModelSerializer):
    """What DRF would build from the model: the declared serializer must not drift from it."""

    athlete = ScopedAthleteField()
    taken_at = DateTimeField(
        required=False,
        help_text="ISO 8601; defaults to now; may be past (from 2000 on), never future.",
        validators=[validate_log_time],
    )
    # An id, not a related field: the schema then knows its type without a model.
    voided_by = serializers.IntegerField(source="voided_by_id", read_only=True, allow_null=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "athlete",
            "taken_at",
            "local_date",
            *services.CHECKIN_FIELDS,
            "created_at",
            "voided_at",
            "voided_by",
            "void_reason",
        ]
        read_only_fields = ["local_date", "created_at"]


def test_the_checkin_serializer_declares_what_the_model_and_the_service_define():
    declared = {
        name: (type(field), repr(field)) for name, field in CheckInSerializer().fields.items()
    }
    from_model = {
        name: (type(field), repr(field)) for name, field in ModelCheckInSerializer().fields.items()
    }
    assert declared == from_model
    assert not ModelCheckInSerializer().get_validators()  # nothing model-level left out


def test_each_serializer_gets_its_own_fields_bound_to_it():
    first, second = CheckInSerializer(), CheckInSerializer()
    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other and field is not CheckInSerializer._declared_fields[name]
        assert field.parent is first and other.parent is second
        assert field.field_name == name
    # Declared fields stay unbound templates.
    assert all(f.parent is None for f in CheckInSerializer._declared_fields.values())
