"""Serializer fields every API serializer uses: ids, times and dates that refuse what the
database or the calendar cannot hold with a 400 at the field (never an OverflowError or a
DataError), and times that always serialise as RFC 3339.

`ModelSerializer` puts them in every field a model serializer builds; declared fields use
them by name. tests/core/test_hostile_input.py sends every id, integer, time and date
field of the API's schema the values that used to answer 500.
"""

import datetime as dt
import re

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import ISO_8601, api_settings

from core.plausibility import EARLIEST_FILTER_TIME, LATEST_FILTER_TIME

# PostgreSQL's bigint, the type of every id (DEFAULT_AUTO_FIELD is BigAutoField).
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
_ID_TEXT = re.compile(r"-?[0-9]+")

# The widest window any time or date may take (years 1900–2100), before the narrower rules of
# each field (a log from 2000 on, never in the future) apply: past it, converting a time to
# UTC or to the local zone can overflow Python's datetime.
EARLIEST_TIME, LATEST_TIME = EARLIEST_FILTER_TIME, LATEST_FILTER_TIME
TIME_RANGE_MESSAGE = "Enter a time between 1 Jan 1900 and 31 Dec 2100."
DATE_RANGE_MESSAGE = "Enter a date between 1 Jan 1900 and 31 Dec 2100."

_MINUTE = dt.timedelta(minutes=1)
_KINDS = {
    bool: "true or false",
    float: "a number with a fraction or an exponent",
    list: "a list",
    dict: "an object",
}


class IdField(serializers.PrimaryKeyRelatedField):
    """The id of a related object: a whole number (or its digits as text) within the
    database's bigint range. Booleans, fractions, exponents (1e309 is infinity), NaN and
    out-of-range numbers are refused at the field before any query."""

    default_error_messages = {
        "incorrect_type": "Enter an id (a whole number), not {data_type}.",
        "out_of_range": "No such id: ids are whole numbers of at most 19 digits.",
    }

    def to_internal_value(self, data):
        return super().to_internal_value(self.to_id(data))

    def to_id(self, data) -> int:
        if isinstance(data, str):
            digits = data.strip()
            if not _ID_TEXT.fullmatch(digits):
                self.fail("incorrect_type", data_type="text")
            if len(digits.lstrip("-")) > 19:  # and int() of thousands of digits is slow
                self.fail("out_of_range")
            data = int(digits)
        elif isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=_KINDS.get(type(data), "a value of another kind"))
        if not BIGINT_MIN <= data <= BIGINT_MAX:
            self.fail("out_of_range")
        return data


class DateTimeField(serializers.DateTimeField):
    """ISO 8601 in, between 1900 and 2100; RFC 3339 out, in the current time zone unless its
    offset then has seconds (local mean time before the zone's first rule, e.g. London's
    -00:01:15), in which case in UTC."""

    default_error_messages = {"out_of_range": TIME_RANGE_MESSAGE, "overflow": TIME_RANGE_MESSAGE}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not EARLIEST_TIME <= parsed <= LATEST_TIME:
            self.fail("out_of_range")
        return parsed

    def to_representation(self, value):
        output_format = getattr(self, "format", api_settings.DATETIME_FORMAT)
        if (
            not isinstance(value, dt.datetime)
            or value.utcoffset() is None
            or output_format is None
            or output_format.lower() != ISO_8601
        ):
            return super().to_representation(value)
        text = self._in_whole_minute_zone(value).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def _in_whole_minute_zone(self, value: dt.datetime) -> dt.datetime:
        zone = self.timezone if hasattr(self, "timezone") else self.default_timezone()
        try:
            local = value.astimezone(zone) if zone is not None else value
        except OverflowError:
            local = value
        if local.utcoffset() % _MINUTE:
            return value.astimezone(dt.UTC)
        return local


class DateField(serializers.DateField):
    """ISO 8601 dates between 1900 and 2100 (each field's own validators narrow it)."""

    default_error_messages = {"out_of_range": DATE_RANGE_MESSAGE}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not EARLIEST_TIME.date() <= parsed <= LATEST_TIME.date():
            self.fail("out_of_range")
        return parsed


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer building its related, time and date fields from this module."""

    serializer_related_field = IdField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
        models.DateField: DateField,
    }


def display_name(user) -> str:
    """How a person is named to others: their full name, else their username; "" for none."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@extend_schema_field(OpenApiTypes.STR)
class PersonNameField(serializers.ReadOnlyField):
    """The display name of the person a user foreign key names (`source`), beside its id:
    `changed_by_name`, `decided_by_name`. Empty when nobody is recorded."""

    def get_attribute(self, instance):
        return display_name(super().get_attribute(instance))

    def to_representation(self, value):
        return value
