"""Exit 0 when the PostgreSQL server of TEST_DATABASE_URL (or the local default) answers.

Only the server is checked (through its ``postgres`` maintenance database): the tests create
their own ``test_<name>`` database, so the named one need not exist.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT = "postgres://postgres@127.0.0.1:5432/enrollment_tracks"


def server_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def main() -> int:
    url = server_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT)
    try:
        with psycopg.connect(url, connect_timeout=3):
            return 0
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable at {url}: {error}".strip(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
