"""Plumbing every app may use: append-only rows and the Idempotency-Key record.

core imports no app's models; the apps import it.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

# The PostgreSQL triggers of the append-only tables let a DELETE through only when this
# transaction-local setting is on (migration 0004). Only `AppendOnlyQuerySet.purge` sets it.
PURGE_SETTING = "sprintback.allow_purge"


class ImmutableRecordError(Exception):
    """An append-only row (a sign-off decision, an audit event) cannot be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are only ever inserted: bulk update and delete raise. `purge()` is the one way
    out, for demo resets and erasing an athlete's data on request."""

    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be updated.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be updated.")

    def delete(self):
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be deleted.")

    delete.queryset_only = True

    def purge(self) -> int:
        """Delete these rows for good (demo reset, erasure). Never for correcting a record."""
        with transaction.atomic(using=self.db):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL {PURGE_SETTING} = 'on'")
            count, _ = models.QuerySet.delete(self)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL {PURGE_SETTING} = 'off'")
        return count


class AppendOnlyModel(models.Model):
    """save() inserts once; saving an existing row again, or deleting one, raises."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError(f"{type(self).__name__} rows cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(f"{type(self).__name__} rows cannot be deleted.")


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for retries.

    Inserted in the same transaction as the object it creates: a concurrent request with the
    same key waits on the unique index and then replays this row; a request that fails rolls
    the row back with everything else, so the client may retry under the same key.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body")
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Moved from monitoring (its first user): the table keeps its name.
        db_table = "monitoring_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key} → {self.status_code}"
