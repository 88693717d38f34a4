"""What every API view shares: Idempotency-Key, errors and their schema. Who may do what is
athletes.access."""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.db import insert_unless_exists
from core.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, is_database_unavailable
from core.parsers import body_too_large

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (e.g. a UUID) chosen by the client. A retried POST with the same "
        "key returns the first response and creates nothing new."
    ),
)


def django_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    """A model/service ValidationError as DRF's field-keyed 400."""
    if hasattr(exc, "message_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = DATABASE_UNAVAILABLE


class Conflict(exceptions.APIException):
    """409: the request conflicts with the current state; `extra` names what it conflicts with."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state."

    def __init__(self, detail=None, **extra):
        super().__init__(detail)
        self.extra = extra


def exception_handler(exc, context):
    """DRF's handler, plus: model/service ValidationErrors, values the database refuses (out of
    range) and bodies over Django's upload limits become 400s, and every error body is a JSON
    object."""
    if isinstance(exc, DjangoValidationError):
        exc = django_errors(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = body_too_large()
    elif isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        exc = exceptions.ParseError(f"Too many fields: the limit is {limit:,}.")
    elif isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        exc = exceptions.ParseError(f"Too many files: the limit is {limit:,}.")
    elif isinstance(exc, DataError):
        exc = serializers.ValidationError({"detail": "A value is out of the range allowed."})
    elif is_database_unavailable(exc):
        exc = DatabaseUnavailable()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, DatabaseUnavailable):
        response["Retry-After"] = RETRY_AFTER_SECONDS
    if isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    if isinstance(exc, Conflict):
        response.data.update(exc.extra)
    return response


# --- Idempotency-Key ---------------------------------------------------------------------------


class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


class IdempotentCreateMixin:
    """POST with an Idempotency-Key: the first successful response is stored in the same
    transaction as the object it created, and replayed for every later request with the same
    key from the same user.

    The record is written last, so the common path costs one INSERT. A request that races
    another with the same key either waits on the key's unique index, finds the key taken
    and rolls its own work back, or meets the object's own uniqueness (a check-in's day) and
    fails; both then replay the winner's response. Failed requests store nothing: a retry
    may fix them.
    """

    def create(self, request, *args, **kwargs):
        from core.models import IdempotencyRecord

        key = request.headers.get("Idempotency-Key")
        if key is None:
            return super().create(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > 255:
            raise serializers.ValidationError(
                {"Idempotency-Key": "Use a non-empty key of at most 255 characters."}
            )
        fingerprint = hashlib.sha256(
            json.dumps(request.data, sort_keys=True, default=str).encode()
        ).hexdigest()
        path = request.path[:255]
        try:
            with transaction.atomic():
                response = super().create(request, *args, **kwargs)
                if not 200 <= response.status_code < 300:
                    raise _Rollback(response)
                record = IdempotencyRecord(
                    user=request.user,
                    key=key,
                    method=request.method,
                    path=path,
                    fingerprint=fingerprint,
                    status_code=response.status_code,
                    body=response.data,
                )
                if not insert_unless_exists(record):
                    # A request with the same key committed first (this insert waited for
                    # it on the key's unique index): undo this one's work, replay that one.
                    raise _Rollback(None)
            return response
        except _Rollback as rollback:
            replay = self._replay(request, key, fingerprint, path) or rollback.response
            if replay is None:
                raise Conflict(
                    "A request with this Idempotency-Key is in progress; retry."
                ) from None
            return replay
        except (IntegrityError, exceptions.APIException):
            replay = self._replay(request, key, fingerprint, path)
            if replay is None:
                raise
            return replay

    @staticmethod
    def _replay(request, key, fingerprint, path):
        from core.models import IdempotencyRecord

        record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if record is None:
            return None
        if record.fingerprint != fingerprint or record.path != path:
            return Response(
                {"detail": "This Idempotency-Key was used for a different request."},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        response = Response(record.body, status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        return response


# --- schema: documented errors on every operation ----------------------------------------------

ERROR_RESPONSES = {
    "400": "Invalid input: the body names each field that is wrong.",
    "401": "Not signed in, or the token is missing or wrong.",
    "403": "Signed in, but your role does not allow this.",
    "404": "Not found, or not in your teams.",
    "409": "Conflicts with the current state (e.g. a check-in for that day already exists).",
    "429": "Too many requests: slow down and retry after the Retry-After header.",
}
IDEMPOTENCY_MISMATCH = "The Idempotency-Key was already used for a different request."
# Answered by the web server in front of Django (gunicorn: request lines over 4,094 bytes), as
# its own HTML page, before the app sees the request.
URI_TOO_LONG = {
    "description": "The address (path and query) is too long for the server.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the error responses on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "description": "An error: `detail` for the request, or a list of messages per field.",
            "properties": {"detail": {"type": "string"}},
            "additionalProperties": True,
        },
    )
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            errors = dict(ERROR_RESPONSES)
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                errors["422"] = IDEMPOTENCY_MISMATCH
            for code, text in errors.items():
                responses.setdefault(
                    code, {"description": text, "content": {"application/json": {"schema": ref}}}
                )
            responses.setdefault("414", URI_TOO_LONG)
    return result


__all__ = [
    "IDEMPOTENCY_HEADER",
    "IdempotentCreateMixin",
    "OpenApiResponse",
    "extend_schema",
]
