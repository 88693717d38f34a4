"""Query-string filters the API shares: a time filter takes years 1900–2100 and answers 400
naming the parameter outside them (beyond them, converting the time to UTC overflows)."""

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

from core.plausibility import EARLIEST_FILTER_TIME, LATEST_FILTER_TIME

FILTER_RANGE_MESSAGE = "Enter a time between 1 Jan 1900 and 31 Dec 2100."


class BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is not None and not EARLIEST_FILTER_TIME <= parsed <= LATEST_FILTER_TIME:
            raise ValidationError(FILTER_RANGE_MESSAGE, code="out_of_range")
        return parsed


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time (a date alone is its midnight) from 1 Jan 1900 to 31 Dec 2100."""

    field_class = BoundedIsoDateTimeField
