"""Plausible dates: the bounds of every date or time a person types (PRODUCT.md §2.9).

One definition, used as model field validators (so every ModelForm, ModelSerializer and
`full_clean` applies them) and by the services that parse times themselves:

- birth dates: not before 1900, not in the future;
- logs (check-ins, sessions, measurements, injuries, baselines): not before 2000, and not in
  the future (for times a few minutes of phone clock skew are read as now; the services
  apply that rule, since it needs their `now`).

Numeric ranges live with what they describe: per metric kind in the registry
(`MetricKind.value_errors`), per field for check-ins and sessions (model validators and
check constraints).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
EARLIEST_LOG_DATE = dt.date(2000, 1, 1)
EARLIEST_LOG_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# Filters and queries accept a wider window than typed values (years 1900–2100), so that a
# range like "since 1999" is a valid question with an empty answer rather than an error.
EARLIEST_FILTER_TIME = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST_FILTER_TIME = dt.datetime(2100, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def _today() -> dt.date:
    return timezone.localdate()


def validate_birth_date(value: dt.date) -> None:
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(gettext("Enter a date of birth after 1 Jan 1900."), code="too_early")
    if value > _today():
        raise ValidationError(gettext("A date of birth cannot be in the future."), code="future")


def validate_log_date(value: dt.date) -> None:
    """A day something happened: from 1 Jan 2000 up to today."""
    if value < EARLIEST_LOG_DATE:
        raise ValidationError(gettext("Enter a date from 1 Jan 2000 on."), code="too_early")
    if value > _today():
        raise ValidationError(gettext("This date cannot be in the future."), code="future")


def validate_log_time(value: dt.datetime) -> None:
    """A moment something was recorded: from 1 Jan 2000 on (the future is the service's
    rule, with its clock-skew allowance)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value < EARLIEST_LOG_TIME:
        raise ValidationError(gettext("Enter a time from 1 Jan 2000 on."), code="too_early")
