"""Running a job on the worker: claim it, apply checkpointed chunks, finish.

A chunk is a fixed range of item positions (``job.chunk_size`` items, fixed when the job first
runs). Each chunk is one transaction that applies the changes, writes the results and queued
emails, and adds its counts to the job: its results are its checkpoint. A worker killed
anywhere leaves every chunk either committed or rolled back; the next run applies the chunks
that have no results yet, so nobody is changed or emailed twice. A running job whose
heartbeat is older than ``MEMBERSHIP_STALE_SECONDS`` is taken over by the next run
(`jobs_recover_stale`).

On PostgreSQL a run applies ``MEMBERSHIP_PARALLEL_CHUNKS`` chunks at once, each on its own
connection: a chunk's learners are distinct from every other chunk's (the plan collapses
duplicates) and each chunk locks its rows in id order, so chunks of one job never wait for each
other but for the job row, for the instant their counts are added. SQLite applies one chunk at
a time (it has one writer), and so does a run called inside a transaction, which other
connections could not see.

A worker asked to stop (`runs_stop`, on SIGTERM) ends its run after the current chunks and
hands the job back: no heartbeat and a new task, so the next worker continues it at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections import Counter, deque

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from enrollment_tracks.core import bulk, clock
from enrollment_tracks.membership.applying import apply_chunk
from enrollment_tracks.membership.models import JobResult, JobStatus, MembershipJob
from enrollment_tracks.membership.state import job_transition

logger = logging.getLogger(__name__)
_stopping = threading.Event()


def runs_stop() -> None:
    """Ask the job runs of this process to hand their job back after the current chunk.

    Called from a signal handler (``run_worker`` on SIGINT/SIGTERM): it only sets a flag.
    """
    _stopping.set()


def _stale_before() -> dt.datetime:
    return clock.now() - dt.timedelta(seconds=settings.MEMBERSHIP_STALE_SECONDS)


def _claim(job_id: uuid.UUID, runner: str) -> bool:
    """Make ``runner`` the owner of a queued job, or of a running job nobody looks after."""
    with transaction.atomic():
        job = MembershipJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return False
        if not job.chunk_size:
            job.chunk_size = settings.MEMBERSHIP_CHUNK_SIZE
        if job.status == JobStatus.QUEUED:
            if job.cancel_requested:
                job_transition(job, JobStatus.CANCELLED, note="cancelled before it started")
                return False
            job.runner = runner
            job_transition(job, JobStatus.RUNNING, fields=("runner", "chunk_size"))
            return True
        stale = job.heartbeat_at is None or job.heartbeat_at < _stale_before()
        if job.status == JobStatus.RUNNING and stale:
            previous = job.runner
            job.runner = runner
            job_transition(
                job,
                JobStatus.RUNNING,
                note=f"taken over from {previous or 'a stopped worker'} at item {job.done}",
                fields=("runner", "chunk_size"),
            )
            return True
    return False


def _pending_chunks(job: MembershipJob) -> list[tuple[int, int]]:
    """The position ranges of the chunks without results: those still to apply."""
    size = job.chunk_size
    done = set(
        JobResult.objects.filter(job=job)
        .annotate(offset=F("position") % size)
        .filter(offset=0)
        .values_list("position", flat=True)
    )
    return [
        (start, min(start + size, job.total))
        for start in range(0, job.total, size)
        if start not in done
    ]


class _Lost(Exception):
    """The job was taken over (or stopped) while a chunk ran: the chunk rolls back."""


def _run_one_chunk(job_id: uuid.UUID, runner: str, start: int, end: int) -> bool:
    """Apply one chunk; False, with nothing done, when the job is no longer ours to run."""
    try:
        with transaction.atomic():
            job = MembershipJob.objects.select_related("course", "created_by").get(pk=job_id)
            if job.status != JobStatus.RUNNING or job.runner != runner or job.cancel_requested:
                return False
            counts = apply_chunk(job, start, end, actor=job.created_by)
            # The job row is locked only now, to add the counts: chunks run side by side.
            locked = MembershipJob.objects.select_for_update().get(pk=job_id)
            if locked.status != JobStatus.RUNNING or locked.runner != runner:
                raise _Lost
            locked.counts = dict(Counter(locked.counts) + counts)
            locked.done += end - start
            locked.heartbeat_at = clock.now()
            locked.save(update_fields=["counts", "done", "heartbeat_at"])
    except _Lost:
        return False
    return True


def _parallel_chunks() -> int:
    if not bulk.is_postgres() or connection.in_atomic_block:
        return 1
    return max(1, settings.MEMBERSHIP_PARALLEL_CHUNKS)


def _apply_pending(job_id: uuid.UUID, runner: str, chunks: list[tuple[int, int]]) -> None:
    """Apply ``chunks`` (in order, several at once where the database allows); re-raises the
    first failure after the chunks already started have ended."""
    queue = deque(chunks)
    guard = threading.Lock()
    failures: list[BaseException] = []
    halted = threading.Event()  # the job is no longer ours, or a chunk failed

    def next_chunk() -> tuple[int, int] | None:
        with guard:
            if halted.is_set() or not queue:
                return None
            return queue.popleft()

    def work(threaded: bool) -> None:
        try:
            while (chunk := next_chunk()) is not None:
                if not _run_one_chunk(job_id, runner, *chunk) or _stopping.is_set():
                    halted.set()
        except BaseException as error:
            halted.set()
            failures.append(error)
        finally:
            if threaded:
                connection.close()  # each thread's own connection

    parallel = min(_parallel_chunks(), len(chunks))
    if parallel <= 1:
        work(threaded=False)
    else:
        threads = [
            threading.Thread(target=work, args=(True,), name=f"membership-{job_id}-{n}")
            for n in range(parallel)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]


def _finish(job_id: uuid.UUID, runner: str) -> None:
    """Close a run whose chunks have ended: succeeded, cancelled, or handed back."""
    from enrollment_tracks.membership.tasks import membership_job_run

    with transaction.atomic():
        job = MembershipJob.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.RUNNING or job.runner != runner:
            return
        if job.done >= job.total:
            job_transition(job, JobStatus.SUCCEEDED)
        elif job.cancel_requested:
            job_transition(job, JobStatus.CANCELLED, note=f"cancelled after item {job.done}")
        elif _stopping.is_set():
            job.runner = ""
            job.heartbeat_at = None
            job.save(update_fields=["runner", "heartbeat_at"])
            membership_job_run.enqueue(str(job_id))
            logger.warning(
                "membership job %s handed back at item %s: the worker stops", job_id, job.done
            )


def job_run(job_id: uuid.UUID, *, runner: str | None = None) -> str:
    """Run (or resume) a job to its end; returns its final status. Safe to call twice."""
    runner = runner or uuid.uuid4().hex
    if not _claim(job_id, runner):
        return MembershipJob.objects.get(pk=job_id).status
    try:
        _apply_pending(job_id, runner, _pending_chunks(MembershipJob.objects.get(pk=job_id)))
    except Exception as error:
        logger.exception("membership job %s failed", job_id)
        with transaction.atomic():
            job = MembershipJob.objects.select_for_update().get(pk=job_id)
            if job.status == JobStatus.RUNNING and job.runner == runner:
                job.error = f"{type(error).__name__}: {error}"[:4000]
                job_transition(job, JobStatus.FAILED, fields=("error",))
        raise
    _finish(job_id, runner)
    return MembershipJob.objects.get(pk=job_id).status


def jobs_recover_stale() -> list[uuid.UUID]:
    """Queue a new run for every job a dead worker left behind; returns their ids.

    A running job with an old heartbeat, or a queued job that no worker started in time. The
    new run takes the job over from its checkpoint; a live owner keeps it (claims are locked).
    """
    from enrollment_tracks.membership.tasks import membership_job_run

    stale = _stale_before()
    running = MembershipJob.objects.filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True), status=JobStatus.RUNNING
    )
    queued = MembershipJob.objects.filter(status=JobStatus.QUEUED, queued_at__lt=stale)
    ids = list(running.values_list("pk", flat=True)) + list(queued.values_list("pk", flat=True))
    for job_id in ids:
        membership_job_run.enqueue(str(job_id))
    return ids
