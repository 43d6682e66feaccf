from __future__ import annotations

from django_tasks import task

from enrollment_tracks.core import clock
from enrollment_tracks.notifications.services import outbox_send_due


@task()
def outbox_flush() -> dict[str, int]:
    """Send every due message; if retries are waiting, come back when the first is due."""
    report = outbox_send_due()
    if report.next_due is not None and report.next_due > clock.now():
        outbox_flush.using(run_after=report.next_due).enqueue()
    return {"sent": report.sent, "retried": report.retried, "parked": report.parked}
