from __future__ import annotations

import uuid

from django_tasks import task

from enrollment_tracks.membership.runner import job_run


@task()
def membership_job_run(job_id: str) -> str:
    """The worker's entry point for a membership job (only the id travels in the payload)."""
    return job_run(uuid.UUID(job_id))
