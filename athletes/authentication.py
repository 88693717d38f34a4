"""API authentication. Kept apart from core.api: DRF imports these classes while its own
views module is still loading, so this module may import nothing that needs DRF's views."""

import functools
import hmac

from django.db import connections, router
from rest_framework import authentication, exceptions


@functools.cache
def _token_model():
    from knox.models import get_token_model

    return get_token_model()


@functools.cache
def _token_query(alias: str):
    """The API token rows with a token's lookup prefix, each with its user and the user's own
    athlete record (if any), as one statement; and how to split a row back into the three
    models.

    This runs on every token request (every check-in a phone posts). Built once per process
    from the models' own columns: the ORM compiles the same three-table join again for each
    request. Measured on 2026-12-03 (bench/README.md, check-in ingestion): 0.77 ms per lookup
    this way against 2.83 ms for the same select_related query through the ORM, about a fifth
    of a check-in POST; without it the endpoint falls below half the bare view's throughput.
    """
    from django.contrib.auth import get_user_model

    from athletes.models import Athlete

    token_model = _token_model()
    connection = connections[alias]
    qn = connection.ops.quote_name
    parts = [(token_model, "t"), (get_user_model(), "u"), (Athlete, "a")]
    columns, layout = [], []
    for model, table in parts:
        fields = model._meta.concrete_fields
        columns += [f"{table}.{qn(f.column)}" for f in fields]
        # The converters the ORM's compiler applies to each column (on SQLite, dates and
        # booleans arrive as text and integers).
        converters = []
        for field in fields:
            col = field.get_col(table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            converters.append([(conv, col) for conv in found])
        layout.append((model, [f.attname for f in fields], converters))
    user_model, athlete_model = parts[1][0], parts[2][0]
    sql = (
        f"SELECT {', '.join(columns)} FROM {qn(token_model._meta.db_table)} t "
        f"JOIN {qn(user_model._meta.db_table)} u "
        f"ON u.{qn(user_model._meta.pk.column)} = t.{qn(token_model._meta.get_field('user').column)} "
        f"LEFT JOIN {qn(athlete_model._meta.db_table)} a "
        f"ON a.{qn(athlete_model._meta.get_field('user').column)} = u.{qn(user_model._meta.pk.column)} "
        f"WHERE t.{qn(token_model._meta.get_field('token_key').column)} = %s"
    )
    digest_index = [f.attname for f in token_model._meta.concrete_fields].index("digest")
    return sql, layout, digest_index


def load_token(token: str):
    """(token row, user, athlete or None) for the token a client sent, or None: one query, no
    ORM compile. The row is found by the token's first characters (knox's token_key) and
    accepted only if its stored digest equals knox's digest of the whole token, compared in
    constant time. Whether it may still be used (expiry, password, active user) is
    athletes.tokens.state_of's call.

    The user carries the athlete as if select_related had loaded it (see
    athletes.access.own_athlete_if_loaded), so it is never queried again."""
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    token_model = _token_model()
    alias = router.db_for_read(token_model)
    sql, layout, digest_index = _token_query(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [token[: CONSTANTS.TOKEN_KEY_LENGTH]])
        rows = cursor.fetchall()
    digest = hash_token(token)
    # Normally one row; two tokens may share a prefix (15 hex characters: 60 bits).
    row = next((r for r in rows if hmac.compare_digest(r[digest_index], digest)), None)
    if row is None:
        return None
    connection = connections[alias]
    objects, start = [], 0
    for index, (model, attnames, converters) in enumerate(layout):
        values = list(row[start : start + len(attnames)])
        start += len(attnames)
        if index == 2 and values[0] is None:  # no athlete record (staff)
            objects.append(None)
            continue
        for i, column_converters in enumerate(converters):
            for convert, col in column_converters:
                values[i] = convert(values[i], col, connection)
        objects.append(model.from_db(alias, attnames, values))
    token_row, user, athlete = objects
    related = type(user).athlete_profile.related
    related.set_cached_value(user, athlete)
    if athlete is not None:
        related.field.set_cached_value(athlete, user)
    token_model.user.field.set_cached_value(token_row, user)
    return token_row, user, athlete


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <token>` with django-rest-knox's tokens (athletes.ApiToken: hashed,
    per device, expiring, ended by a password change), loading the user and the user's own
    athlete record (if any) in the same query: an athlete posting their own check-in then
    needs no second query to resolve it (see athletes.access.own_athlete_if_loaded)."""

    def authenticate_credentials(self, key):
        from django.utils import timezone

        from athletes.tokens import REFUSALS, TokenState, looks_like_a_token, state_of

        loaded = load_token(key) if looks_like_a_token(key) else None
        if loaded is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        token, user, _ = loaded
        state = state_of(token, user, now=timezone.now())
        if state != TokenState.LIVE:
            raise exceptions.AuthenticationFailed(REFUSALS[state])
        return user, token
