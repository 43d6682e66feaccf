"""Fresh benchmark databases for the scenario modules (`certificates`, `ecommerce`).

Each scenario measures on a database of its own: an SQLite file deleted first, or a PostgreSQL
database dropped and created again through the server's maintenance database (``admin_url``).
PostgreSQL is optional: when the server does not answer, the reason is returned and the
scenario skips that backend with a note.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def postgres_url(admin_url: str, database: str) -> str:
    """``admin_url`` with its database replaced by ``database``."""
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{database}"))


def postgres_admin(admin_url: str, *statements: str) -> str | None:
    """Run ``statements`` in autocommit; None when they ran, else why not (one line)."""
    try:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            for statement in statements:
                conn.execute(statement.encode())
    except Exception as error:  # the server is optional: report why it was skipped
        return str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
    return None


def fresh_database(
    backend: str, admin_url: str, *, sqlite_path: Path, postgres_db: str
) -> str | None:
    """The URL of an empty database for ``backend``; None when it cannot be had."""
    if backend == "sqlite":
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{sqlite_path}"
    why_not = postgres_admin(
        admin_url,
        f"DROP DATABASE IF EXISTS {postgres_db} WITH (FORCE)",
        f"CREATE DATABASE {postgres_db}",
    )
    return None if why_not else postgres_url(admin_url, postgres_db)
