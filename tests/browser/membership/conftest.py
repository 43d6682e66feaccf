"""A stand-in for the background worker in browser tests.

The test process has no worker. Just before the job page polls for progress, the `worker`
fixture runs every queued job to its end from the test thread, then lets the poll through, so
the page sees the job finish as it would with a fast worker. Running it there, while the poll
waits, also keeps the test thread and the live server from using the (shared, in-memory SQLite)
database connection at the same time.
"""

from __future__ import annotations

import uuid

import pytest

from enrollment_tracks.membership.models import JobStatus, MembershipJob
from enrollment_tracks.membership.runner import job_run

PROGRESS_URL = "**/instructor/membership/jobs/*/progress/"


@pytest.fixture
def worker(page) -> list[uuid.UUID]:
    """The ids of the jobs run so far, in order."""
    ran: list[uuid.UUID] = []

    def run_queued_jobs(route) -> None:
        queued = MembershipJob.objects.filter(status=JobStatus.QUEUED).order_by("queued_at")
        for job_id in list(queued.values_list("pk", flat=True)):
            job_run(job_id)
            ran.append(job_id)
        route.continue_()

    page.route(PROGRESS_URL, run_queued_jobs)
    return ran
