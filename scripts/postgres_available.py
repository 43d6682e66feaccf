"""Exit 0 when the PostgreSQL server of TEST_DATABASE_URL (or the local default) answers."""

from __future__ import annotations

import os
import sys

import psycopg

DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"


def main() -> int:
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT
    try:
        with psycopg.connect(url, connect_timeout=3):
            return 0
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable at {url}: {error}".strip(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
