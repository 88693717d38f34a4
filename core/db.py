"""Database helpers the ORM does not offer, and the refusal of a write whose row is stored."""

import functools

from django.db import connections, router
from django.db.models import AutoField, BigAutoField, SmallAutoField
from django.utils.translation import gettext


class AlreadyStored(Exception):
    """A write refused because the row it would store is already there (a unique rule, a key
    seen before): `existing` is that row, so the caller can point to it (edit it, say when it
    was stored) instead of writing again. Each case is a subclass saying what was there, in
    the reader's language (`describe`)."""

    def __init__(self, existing):
        super().__init__(self.describe(existing))
        self.existing = existing

    def describe(self, existing) -> str:
        return gettext("Already stored.")


@functools.cache
def _insert_sql(model, alias: str):
    connection = connections[alias]
    qn = connection.ops.quote_name
    pk = model._meta.pk
    assert isinstance(pk, AutoField | BigAutoField | SmallAutoField), "needs an auto primary key"
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT DO NOTHING RETURNING {qn(pk.column)}"
    )
    return sql, fields


def insert_unless_exists(obj) -> bool:
    """INSERT a new model instance, unless one of the table's unique constraints already holds
    a row like it: True (and `obj` has its pk) when inserted, False when such a row exists,
    also when another transaction inserted it a moment ago and has just committed.

    One statement, `INSERT … ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, SQLite ≥ 3.35):
    the expected conflict raises nothing, so the caller's transaction stays usable without a
    savepoint around the insert. Any other error (a foreign key, a check) raises as usual.
    Values are prepared as Model.save() prepares them (auto_now fields included); no signals
    are sent, so use it only for models without save() overrides or signal receivers.
    """
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    sql, fields = _insert_sql(model, alias)
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = alias
    return True
