"""Create the PostgreSQL database DATABASE_URL names when it does not exist yet, so `make run`
works on a fresh server the README points at; nothing for SQLite (migrate creates the file).

Connects to the server's `postgres` maintenance database with the same credentials; a server
that is down or refuses the login is reported in one line (migrate would say the same later)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def ensure_database(db: dict) -> bool:
    """Create the PostgreSQL database a Django DATABASES entry names if it is missing: True
    when it was created. Nothing for another engine."""
    if db["ENGINE"] != "django.db.backends.postgresql":
        return False
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
            query = "SELECT 1 FROM pg_database WHERE datname = %s"
            if conn.execute(query, [db["NAME"]]).fetchone():
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    except psycopg.Error as error:
        raise CommandError(f"PostgreSQL: {str(error).strip()}") from None
    return True


class Command(BaseCommand):
    help = "Create the PostgreSQL database of DATABASE_URL if it does not exist."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if ensure_database(db):
            self.stdout.write(f"Created the PostgreSQL database {db['NAME']!r}.")
