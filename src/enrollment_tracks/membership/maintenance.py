"""What a worker does besides running tasks: pick up the work that dead workers left behind."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections

from enrollment_tracks.membership.runner import jobs_recover_stale
from enrollment_tracks.notifications.services import (
    outbox_flush_overdue,
    outbox_park_interrupted,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    jobs_requeued: int
    messages_parked: int
    flush_queued: bool
    orders_fulfilled: int = 0


def maintenance_interval() -> float:
    """Seconds between two maintenance runs: half the time after which a job is stale."""
    return max(settings.MEMBERSHIP_STALE_SECONDS / 2, 1.0)


def maintenance_run() -> MaintenanceReport:
    """Re-queue the jobs a dead worker left running (or queued and never started), park the
    emails it left "sending" (after ``OUTBOX_SENDING_TIMEOUT_SECONDS``: a live worker's sends
    are left alone), queue a flush for emails overdue since a worker went away, and fulfil
    orders left paid but unfulfilled (``ORDER_RECONCILE_AFTER_SECONDS``)."""
    jobs = jobs_recover_stale()
    parked = outbox_park_interrupted()
    flush = outbox_flush_overdue(older_than=dt.timedelta(seconds=settings.MEMBERSHIP_STALE_SECONDS))
    if jobs or parked:
        logger.warning("recovered %s job(s); parked %s interrupted email(s)", len(jobs), parked)
    orders = _orders_reconciled()
    return MaintenanceReport(
        jobs_requeued=len(jobs), messages_parked=parked, flush_queued=flush, orders_fulfilled=orders
    )


def _orders_reconciled() -> int:
    """Fulfil orders a crash left paid but unfulfilled (when the e-commerce module is there)."""
    if not apps.is_installed("enrollment_tracks.ecommerce"):
        return 0
    from enrollment_tracks.ecommerce.services import orders_reconcile

    report = orders_reconcile()
    if report.fulfilled or report.failed:
        logger.warning(
            "reconciliation fulfilled %s order(s); %s could not be",
            len(report.fulfilled),
            len(report.failed),
        )
    return len(report.fulfilled)


def maintenance_loop(stop: threading.Event, interval: float) -> None:
    """Run maintenance every ``interval`` seconds until ``stop`` is set (a daemon thread)."""
    while not stop.wait(interval):
        try:
            maintenance_run()
        except Exception:
            logger.exception("worker maintenance failed; trying again in %ss", interval)
        finally:
            close_old_connections()
