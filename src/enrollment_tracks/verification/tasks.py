"""Background tasks (django-tasks). Payloads carry no personal data and no photo: the work to do
is read from the rows."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from enrollment_tracks.verification.housekeeping import housekeeping_run, photos_delete_due

HOUSEKEEPING_PATH = "enrollment_tracks.verification.tasks.verification_housekeeping"


def housekeeping_schedule(*, delay: dt.timedelta | None = None) -> bool:
    """Queue the next housekeeping run unless one is already waiting. True if queued."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(
        task_path=HOUSEKEEPING_PATH, status=TaskResultStatus.READY
    ).exists():
        return False
    # The queue runs on the real time (the worker's), not the domain clock.
    if delay is None:
        delay = dt.timedelta(seconds=settings.VERIFICATION_HOUSEKEEPING_SECONDS)
    when = timezone.now() + delay
    verification_housekeeping.using(run_after=when).enqueue()
    return True


@task()
def verification_housekeeping() -> dict[str, int]:
    """Expire approvals, send expiry reminders, delete photos past retention; then come back
    after ``VERIFICATION_HOUSEKEEPING_SECONDS``."""
    report = housekeeping_run()
    housekeeping_schedule()
    return {
        "expired": report.expired,
        "reminded": report.reminded,
        "photos_deleted": report.photos_deleted,
    }


@task()
def verification_photos_delete() -> int:
    """Delete the photos that are due now (queued by account retirement)."""
    return photos_delete_due()
