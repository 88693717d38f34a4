"""API authentication. Kept apart from config.api: DRF imports these classes while its own
views module is still loading, so this module may import nothing that needs DRF's views."""

import functools

from django.db import connections, router
from rest_framework import authentication, exceptions


@functools.cache
def _token_query(alias: str):
    """The token, its user and the user's own athlete record (if any) as one statement, and
    how to split a row of it back into the three models.

    This runs on every token request (every check-in a phone posts). Built once per process
    from the models' own columns: the ORM would compile the same three-table join again for
    each request, which was a quarter of the check-in endpoint's CPU.
    """
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from athletes.models import Athlete

    connection = connections[alias]
    qn = connection.ops.quote_name
    parts = [(Token, "t"), (get_user_model(), "u"), (Athlete, "a")]
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
        f"SELECT {', '.join(columns)} FROM {qn(Token._meta.db_table)} t "
        f"JOIN {qn(user_model._meta.db_table)} u "
        f"ON u.{qn(user_model._meta.pk.column)} = t.{qn(Token._meta.get_field('user').column)} "
        f"LEFT JOIN {qn(athlete_model._meta.db_table)} a "
        f"ON a.{qn(athlete_model._meta.get_field('user').column)} = u.{qn(user_model._meta.pk.column)} "
        f"WHERE t.{qn(Token._meta.pk.column)} = %s"
    )
    return sql, layout


def load_token(key: str):
    """(token, user, athlete or None) for a token key, or None: one query, no ORM compile.
    The user carries the athlete as if select_related had loaded it (see
    athletes.selectors.own_athlete_if_loaded), so it is never queried again."""
    from rest_framework.authtoken.models import Token

    alias = router.db_for_read(Token)
    sql, layout = _token_query(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
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
    token, user, athlete = objects
    related = type(user).athlete_profile.related
    related.set_cached_value(user, athlete)
    if athlete is not None:
        related.field.set_cached_value(athlete, user)
    Token.user.field.set_cached_value(token, user)
    return token, user, athlete


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, loading the user and the user's own athlete record (if
    any) in the same query: an athlete posting their own check-in then needs no second query
    to resolve it (see config.api.ScopedAthleteField)."""

    def authenticate_credentials(self, key):
        loaded = load_token(key)
        if loaded is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        token, user, _ = loaded
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return user, token
