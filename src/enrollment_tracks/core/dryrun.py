"""Run a write and roll it back: the answer to "would this succeed?" without a second rule set."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

T = TypeVar("T")


class _RolledBack(Exception):
    pass


def dry_run(write: Callable[[], T]) -> None:
    """Call ``write`` inside a savepoint that is always rolled back.

    Domain errors propagate; on-commit callbacks registered by ``write`` are discarded with
    the savepoint, so no event or email leaves.
    """
    try:
        with transaction.atomic():
            write()
            raise _RolledBack
    except _RolledBack:
        return
