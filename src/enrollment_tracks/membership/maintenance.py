"""What a worker does besides running tasks: pick up work that dead workers left behind."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections

from enrollment_tracks.membership.runner import jobs_recover_stale
from enrollment_tracks.notifications.services import outbox_park_interrupted

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    jobs_requeued: int
    messages_parked: int


def maintenance_run() -> MaintenanceReport:
    """Re-queue jobs a dead worker left running (or queued and never started); park emails
    it left "sending"."""
    jobs = jobs_recover_stale()
    parked = outbox_park_interrupted()
    if jobs or parked:
        logger.warning("recovered %s job(s); parked %s interrupted email(s)", len(jobs), parked)
    return MaintenanceReport(jobs_requeued=len(jobs), messages_parked=parked)


def maintenance_loop(stop: threading.Event, interval: float) -> None:
    """Run maintenance every ``interval`` seconds until ``stop`` is set (a daemon thread)."""
    while not stop.wait(interval):
        try:
            maintenance_run()
        except Exception:
            logger.exception("worker maintenance failed; trying again in %ss", interval)
        finally:
            close_old_connections()
