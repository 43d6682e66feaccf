"""Fresh benchmark databases for the scenario modules (`certificates`, `ecommerce`), and their
child process on each backend (`measure_in_child`).

Each scenario measures on a database of its own: an SQLite file deleted first, or a PostgreSQL
database dropped and created again through the server's maintenance database (``admin_url``).
PostgreSQL is optional: when the server does not answer, the reason is returned and the
scenario skips that backend with a note.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
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


def measure_in_child(
    *,
    module: str,
    label: str,
    args: Sequence[str],
    backend: str,
    admin_url: str,
    sqlite_path: Path,
    postgres_db: str,
    root: Path,
    say: Callable[[str], None],
    failures: list[str],
) -> dict[str, float] | None:
    """Run ``python -m module --child --result FILE *args`` on a fresh database of ``backend``
    and return the figures it wrote; None when the backend was skipped or the child failed
    (said, or added to ``failures``). The PostgreSQL database is dropped afterwards."""
    url = fresh_database(backend, admin_url, sqlite_path=sqlite_path, postgres_db=postgres_db)
    if url is None:
        say(f"== {label} on {backend} skipped: the server does not answer")
        return None
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            result = Path(tmp) / "result.json"
            command = [sys.executable, "-m", module, "--child", "--result", str(result), *args]
            completed = subprocess.run(command, cwd=root, env=env, check=False)
            if completed.returncode != 0 or not result.exists():
                failures.append(f"{label} on {backend}: exit status {completed.returncode}")
                return None
            figures: dict[str, float] = json.loads(result.read_text())
            return figures
    finally:
        if backend == "postgres":
            postgres_admin(admin_url, f"DROP DATABASE IF EXISTS {postgres_db} WITH (FORCE)")
