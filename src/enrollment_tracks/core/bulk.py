"""The database's own bulk paths, for set-based batch work (DESIGN.md section 6).

PostgreSQL gets ``COPY`` (about 5 µs a row); SQLite gets ``executemany`` inside the caller's
transaction. Both get a per-connection temporary table of ids, so a statement can say
``WHERE id IN (SELECT id FROM <staging>)`` instead of carrying thousands of parameters.
Callers hold the transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

IDS_TABLE = "bulk_stage_ids"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def adapt(value: Any) -> Any:
    """A Python value as this backend stores it, the way Django's fields would."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    if is_postgres():
        return value
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Insert many rows into ``table`` as fast as the backend allows; returns the rows offered.

    With ``ignore_conflicts`` a row that breaks a unique constraint is skipped (PostgreSQL
    copies into a temporary twin of the table, then inserts with ``ON CONFLICT DO NOTHING``).
    """
    prepared = [[adapt(value) for value in row] for row in rows]
    if not prepared:
        return 0
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    quoted_table = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if is_postgres():
            target = quoted_table
            if ignore_conflicts:
                target = connection.ops.quote_name(f"{table}_bulk_stage")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {target} "
                    f"(LIKE {quoted_table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                cursor.execute(f"DELETE FROM {target}")  # noqa: S608
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {target} ({column_list}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
            if ignore_conflicts:
                cursor.execute(
                    f"INSERT INTO {quoted_table} ({column_list}) "  # noqa: S608
                    f"SELECT {column_list} FROM {target} ON CONFLICT DO NOTHING"
                )
        else:
            marks = ", ".join(["%s"] * len(columns))
            verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
            cursor.executemany(
                f"{verb} INTO {quoted_table} ({column_list}) VALUES ({marks})",
                prepared,
            )
    return len(prepared)


def stage_ids(ids: Iterable[int], *, table: str = IDS_TABLE) -> str:
    """Fill this connection's temporary id table with ``ids``; return its name for SQL."""
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY) "
                "ON COMMIT DELETE ROWS"
            )
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    insert_rows(table, ["id"], ([value] for value in sorted(set(ids))))
    return table


def stage_strings(values: Iterable[str], *, table: str = "bulk_stage_strings") -> str:
    """Fill this connection's temporary text table with ``values``; return its name for SQL."""
    with connection.cursor() as cursor:
        suffix = " ON COMMIT DELETE ROWS" if is_postgres() else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} (value text PRIMARY KEY){suffix}"
        )
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    insert_rows(table, ["value"], ([value] for value in sorted(set(values))))
    return table


def fetch_all(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(value) for value in params])
        return list(cursor.fetchall())


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(value) for value in params])
        return cursor.rowcount
