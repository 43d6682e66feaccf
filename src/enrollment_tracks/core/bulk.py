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
import zlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

IDS_TABLE = "bulk_stage_ids"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def adapt(value: Any) -> Any:
    """A Python value as this backend stores it, the way Django's fields would."""
    return _adapt(value, postgres=is_postgres())


def _adapt(value: Any, *, postgres: bool) -> Any:
    # The vendor is looked up once per statement, not once per value: ``connection`` is a
    # proxy and the look-up costs more than the adaptation itself (2 µs a value).
    if isinstance(value, dict | list):
        return json.dumps(value)
    if postgres:
        return value
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Decimal):
        return str(value)
    return value


_AS_IS = frozenset({str, int, bool, float, type(None)})


def _adapt_rows(rows: Iterable[Sequence[Any]], *, postgres: bool) -> list[list[Any]]:
    """``adapt`` applied to every value of every row, cheaply: a batch is millions of values.

    Plain values pass as they are. The other values of a batch are mostly the same few objects
    on every row (``now``, the job's id), so each object is converted once per batch (a value
    is a dict or a list, serialised every time, or immutable).
    """
    if postgres:
        return [
            [json.dumps(value) if isinstance(value, dict | list) else value for value in row]
            for row in rows
        ]
    memo: dict[int, tuple[Any, Any]] = {}  # id → (the object, kept alive; its conversion)

    def convert(value: Any) -> Any:
        if isinstance(value, str):  # text choices and other str subclasses
            return value
        if isinstance(value, dict | list):
            return json.dumps(value)
        known = memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        converted = _adapt(value, postgres=False)
        memo[id(value)] = (value, converted)
        return converted

    as_is = _AS_IS
    return [[value if type(value) in as_is else convert(value) for value in row] for row in rows]


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    plain: bool = False,
) -> int:
    """Insert many rows into ``table`` as fast as the backend allows; returns the rows offered.

    With ``ignore_conflicts`` a row that breaks a unique constraint is skipped (PostgreSQL
    first copies straight into the table in a savepoint; if a row conflicts, it copies into a
    temporary twin of the table instead, then inserts with ``ON CONFLICT DO NOTHING``).

    ``plain`` says the rows hold no dict or list: PostgreSQL then takes them as they are (the
    adaptation pass costs ~1 µs a value, a second per million values).
    """
    postgres = is_postgres()
    prepared: Sequence[Sequence[Any]]
    if postgres and plain:
        prepared = rows if isinstance(rows, list) else [list(row) for row in rows]
    else:
        prepared = _adapt_rows(rows, postgres=postgres)
    if not prepared:
        return 0
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    quoted_table = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if postgres:
            if ignore_conflicts and _copy_unless_conflict(
                cursor, quoted_table, column_list, prepared
            ):
                return len(prepared)
            target = quoted_table
            if ignore_conflicts:
                # Only the offered columns: a twin made with LIKE would carry the NOT NULL of
                # an identity ``id`` that the COPY leaves empty. One twin per column set.
                digest = zlib.crc32(column_list.encode())
                target = connection.ops.quote_name(f"{table}_stage_{digest:08x}")
                twin = f"SELECT {column_list} FROM {quoted_table} WITH NO DATA"  # noqa: S608
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {target} ON COMMIT DELETE ROWS AS {twin}"
                )
                cursor.execute(f"DELETE FROM {target}")  # noqa: S608
            _copy(cursor, target, column_list, prepared)
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


def _copy(cursor: Any, target: str, column_list: str, rows: Sequence[Sequence[Any]]) -> None:
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    with raw.copy(f"COPY {target} ({column_list}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _copy_unless_conflict(
    cursor: Any, table: str, column_list: str, rows: Sequence[Sequence[Any]]
) -> bool:
    """COPY straight into ``table`` in a savepoint; False, with nothing written, on a conflict.

    Conflicts are the exception (a retried chunk rolled back its rows), so the common case
    skips the staging twin and its second copy of every row.
    """
    from psycopg import errors

    try:
        with transaction.atomic():
            _copy(cursor, table, column_list, rows)
    except (errors.UniqueViolation, errors.ExclusionViolation):
        return False
    return True


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
    insert_rows(table, ["id"], [(value,) for value in sorted(set(ids))], plain=True)
    return table


def stage_table(table: str, columns: str) -> str:
    """Create (once per connection) and empty the temporary table ``table (columns)``."""
    with connection.cursor() as cursor:
        suffix = " ON COMMIT DELETE ROWS" if is_postgres() else ""
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns}){suffix}")
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    return table


def stage_strings(values: Iterable[str], *, table: str = "bulk_stage_strings") -> str:
    """Fill this connection's temporary text table with ``values``; return its name for SQL."""
    with connection.cursor() as cursor:
        suffix = " ON COMMIT DELETE ROWS" if is_postgres() else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} (value text PRIMARY KEY){suffix}"
        )
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    insert_rows(table, ["value"], [(value,) for value in sorted(set(values))], plain=True)
    return table


def fetch_all(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    postgres = is_postgres()
    with connection.cursor() as cursor:
        cursor.execute(sql, [_adapt(value, postgres=postgres) for value in params])
        return list(cursor.fetchall())


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    postgres = is_postgres()
    with connection.cursor() as cursor:
        cursor.execute(sql, [_adapt(value, postgres=postgres) for value in params])
        return cursor.rowcount
