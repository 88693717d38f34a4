"""Shared by the bench scripts: a throwaway PostgreSQL database, made anew for each run."""

import sys
from urllib.parse import urlparse


def recreate_database(url: str) -> None:
    """Drop (closing its sessions) and create the database `url` names. Refuses anything that
    is not PostgreSQL or whose name does not start with `sb_`, so a bench run can never
    drop a real database."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme not in ("postgres", "postgresql", "pgsql") or not name.startswith("sb_"):
        sys.exit(f"{url!r}: benches need a PostgreSQL database whose name starts with sb_")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
