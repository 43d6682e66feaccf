from __future__ import annotations

import uuid

from django_tasks import task

from enrollment_tracks.certificates.generation import job_run


@task()
def certificates_generate(job_id: str) -> str:
    """The worker's entry point for a generation job (only the id travels in the payload)."""
    return job_run(uuid.UUID(job_id))
