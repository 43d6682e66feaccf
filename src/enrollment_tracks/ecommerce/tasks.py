from __future__ import annotations

from django_tasks import task

from enrollment_tracks.ecommerce import webhooks
from enrollment_tracks.ecommerce.services import orders_reconcile


@task()
def processor_event_process(event_pk: int) -> str:
    """The worker's entry point for a stored webhook event (only its id travels)."""
    return webhooks.processor_event_process(event_pk)


@task()
def orders_reconcile_run() -> dict[str, object]:
    """Fulfil paid orders left unfulfilled (run periodically, e.g. every few minutes)."""
    report = orders_reconcile()
    return {"fulfilled": report.fulfilled, "failed": report.failed}
