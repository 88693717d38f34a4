"""Database helpers the ORM does not offer."""

import functools
import logging

from django.db import NotSupportedError, connections, router
from django.db.models import AutoField, BigAutoField, SmallAutoField

logger = logging.getLogger(__name__)


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


# --- prepared statements after a migration -----------------------------------------------------
#
# With DB_PREPARED_STATEMENTS (settings), PostgreSQL keeps each connection's hot statements
# prepared. A migration that changes a column's type under a live connection makes those that
# read it fail with "cached plan must not change result type" until they are prepared again.
# Inside a transaction the rollback that follows the error makes psycopg forget them (the
# request is answered 503 with Retry-After: core.errors); outside one (autocommit, e.g. the
# token lookup) nothing would, so this wrapper forgets them and runs the statement again.

STALE_PLAN = "cached plan must not change result type"


def is_stale_prepared_statement(exc) -> bool:
    return (
        isinstance(exc, NotSupportedError)
        and getattr(exc.__cause__, "sqlstate", None) == "0A000"
        and STALE_PLAN in str(exc)
    )


def retry_stale_prepared_statement(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except NotSupportedError as exc:
        connection = context["connection"]
        if not is_stale_prepared_statement(exc) or not connection.get_autocommit():
            raise
        # In autocommit the failed statement was its own transaction and changed nothing.
        # DEALLOCATE ALL drops the server's prepared statements, and psycopg, seeing that
        # command, forgets its own; the retry is planned afresh.
        logger.warning("prepared statements out of date after a schema change; re-preparing")
        connection.connection.execute("DEALLOCATE ALL")
        return execute(sql, params, many, context)


def install_stale_plan_retry(sender, connection, **kwargs):
    """connection_created receiver (athletes.apps): every PostgreSQL connection gets the
    wrapper once."""
    if (
        connection.vendor == "postgresql"
        and retry_stale_prepared_statement not in connection.execute_wrappers
    ):
        connection.execute_wrappers.append(retry_stale_prepared_statement)
