"""One benchmark step in a process of its own: ``python -m bench.child STEP --result FILE``.

The parent (``bench/run.py``) points ``DATABASE_URL`` at a database prepared for the step and
reads the figures from ``FILE`` (a JSON object: scenario → metric → number) once the process has
ended. A process per step makes its peak RSS (``ru_maxrss``) that step's own.

Steps:

``seed``
    Migrate, then the course (audit and honor), one course-staff member and N learners enrolled
    on audit, written with the engine's set-based inserts (``core.bulk.insert_rows``).
``change_track``
    Scenario (1): audit → honor for everyone through the job path with notifications on.
``unenroll_reenroll``
    Scenario (2): a bulk unenroll job, then a bulk re-enroll job (on honor), notifications off.
``naive``
    Scenario (3): the same change, one learner at a time through
    ``enrollments.services.enrollment_change_track``, on the first M learners.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.courses.models import CourseRun
    from enrollment_tracks.membership.models import MembershipJob
    from enrollment_tracks.membership.planning import JobRequest

ROOT = Path(__file__).resolve().parent.parent
COURSE_KEY = "course-v1:BenchX+Tracks+2026"
STAFF_USERNAME = "coursestaff"
LEARNER_PREFIX = "learner"
REASON = "Benchmark: moving the course from audit to honor"

Metrics = dict[str, float]


def learner_username(number: int) -> str:
    return f"{LEARNER_PREFIX}{number:06d}"


def django_setup() -> None:
    """Django with the parent's DATABASE_URL, and the schema migrated (not measured)."""
    for path in (str(ROOT / "src"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# ---------------------------------------------------------------------------- measuring


def _peak_rss_mb() -> float:
    """The process's resident-set high-water mark (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Memory:
    """Peak RSS of the whole process and of phases within it.

    On Linux, writing ``5`` to ``/proc/self/clear_refs`` resets the high-water mark, so a
    phase's own peak can be read; the whole process's peak is kept across resets.
    """

    def __init__(self) -> None:
        self.overall = _peak_rss_mb()

    def start_phase(self) -> None:
        self.overall = max(self.overall, _peak_rss_mb())
        # Without a reset, a phase's peak is the process's peak so far (an upper bound).
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")

    def phase_peak(self) -> float:
        peak = _peak_rss_mb()
        self.overall = max(self.overall, peak)
        return peak


def _verb(sql: str) -> str:
    words = sql.lstrip().split(None, 1)
    return words[0].upper() if words else "?"


@dataclass
class Queries:
    """Statements sent to the database: Django's cursor calls plus psycopg COPY operations.

    An ``executemany`` is one statement here (one call, many parameter rows), as is a COPY.
    """

    kinds: Counter[str] = field(default_factory=Counter)
    #: seconds and calls per statement (its first 90 characters), for ``--profile``
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: Counter[str] = field(default_factory=Counter)
    guard: threading.Lock = field(default_factory=threading.Lock)  # chunks run in threads

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:90]
            with self.guard:
                self.kinds[_verb(sql)] += 1
                self.seconds[key] += time.perf_counter() - started
                self.calls[key] += 1

    def report(self, title: str) -> str:
        total = sum(self.seconds.values())
        lines = [f"{title}: {self.total} statements, {total:.3f} s in SQL and commits"]
        for key, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:15]:
            lines.append(f"  {seconds:8.3f} s {self.calls[key]:6d}x  {key}")
        return "\n".join(lines)


@contextmanager
def counting() -> Iterator[Queries]:
    """Count every statement run inside the block, on the default connection and on those
    opened meanwhile (a job applies chunks side by side, each thread on its own)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    queries = Queries()
    restore = _count_copies(queries) if connection.vendor == "postgresql" else None
    restore_commit = _time_commits(queries)

    def wrap_new(sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.execute_wrappers.append(queries)

    connection_created.connect(wrap_new)
    try:
        with connection.execute_wrapper(queries):
            yield queries
    finally:
        connection_created.disconnect(wrap_new)
        restore_commit()
        if restore is not None:
            restore()


def _time_commits(queries: Queries) -> Callable[[], None]:
    """A commit is no statement for Django's wrappers, yet it does work: deferred foreign-key
    checks run then. Timed (not counted) as ``COMMIT``.

    Shadowed on the backend's class, so that every connection's commits are timed.
    """
    from django.db import connections

    backend = type(connections["default"])
    original = backend._commit  # type: ignore[attr-defined]

    def commit(self: Any) -> None:
        started = time.perf_counter()
        try:
            original(self)
        finally:
            with queries.guard:
                queries.seconds["COMMIT"] += time.perf_counter() - started
                queries.calls["COMMIT"] += 1

    setattr(backend, "_commit", commit)  # noqa: B010 (a private method, shadowed for a while)

    def restore() -> None:
        setattr(backend, "_commit", original)  # noqa: B010

    return restore


def _count_copies(queries: Queries) -> Callable[[], None]:
    """COPY goes to psycopg directly, past Django's execute wrappers: count it there."""
    import psycopg

    original = psycopg.Cursor.copy

    @contextmanager
    def copy(self: Any, statement: Any, params: Any = None, **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        with original(self, statement, params, **kwargs) as copying:
            yield copying
        key = " ".join(str(statement).split())[:90]
        with queries.guard:
            queries.kinds["COPY"] += 1
            queries.seconds[key] += time.perf_counter() - started  # the rows' writing included
            queries.calls[key] += 1

    psycopg.Cursor.copy = copy  # type: ignore[method-assign]

    def restore() -> None:
        psycopg.Cursor.copy = original  # type: ignore[method-assign]

    return restore


PROFILE_DIR: Path | None = None  # set by --profile
SQL_REPORT = False  # set by --sql-report
STEPS_REPORT = False  # set by --steps

#: The engine's steps timed by ``--steps``: (module, attribute). Callers reach them through
#: these module attributes, so wrapping the attribute times every call. Nested steps overlap.
TIMED_STEPS = (
    ("enrollment_tracks.membership.planning", "_plan_items"),
    ("enrollment_tracks.membership.planning", "_plan_sql"),
    ("enrollment_tracks.membership.runner", "apply_chunk"),
    ("enrollment_tracks.membership.runner", "_pending_chunks"),
    ("enrollment_tracks.membership.applying", "_stage_chunk"),
    ("enrollment_tracks.membership.applying", "actor_role"),
    ("enrollment_tracks.membership.applying", "enrollments_apply_staged"),
    ("enrollment_tracks.membership.applying", "_apply_invitations"),
    ("enrollment_tracks.membership.applying", "outbox_enqueue_select"),
    ("enrollment_tracks.membership.applying", "insert_missing"),
    ("enrollment_tracks.core.bulk", "stage_ids"),
    ("enrollment_tracks.core.bulk", "stage_strings"),
    ("enrollment_tracks.core.bulk", "insert_rows"),
    ("enrollment_tracks.core.bulk", "_adapt_rows"),
    ("enrollment_tracks.core.bulk", "execute"),
    ("enrollment_tracks.core.bulk", "fetch_all"),
)


@contextmanager
def timed_steps(name: str, chunks: int) -> Iterator[None]:
    """With ``--steps``: wall time spent in each of ``TIMED_STEPS`` (``insert_rows`` per
    table), printed in total and per chunk; otherwise nothing."""
    if not STEPS_REPORT:
        yield
        return
    import functools
    import importlib

    seconds: defaultdict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()
    restore: list[tuple[Any, str, Any]] = []

    def wrap(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            key = f"{label} {args[0]}" if label.endswith("insert_rows") else label
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[key] += time.perf_counter() - started
                calls[key] += 1

        return timed

    for module_name, attribute in TIMED_STEPS:
        module = importlib.import_module(module_name)
        if not hasattr(module, attribute):
            continue
        original = getattr(module, attribute)
        label = f"{module_name.rsplit('.', 2)[-2]}.{module_name.rsplit('.', 1)[-1]}.{attribute}"
        setattr(module, attribute, wrap(label, original))
        restore.append((module, attribute, original))
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        for module, attribute, original in restore:
            setattr(module, attribute, original)
        print(
            f"-- {name}: {elapsed:.3f} s; time in the engine's steps (nested ones overlap):",
            file=sys.stderr,
        )
        print(f"  {'total s':>8} {'ms/chunk':>9} {'calls':>7}  step", file=sys.stderr)
        for key, total in sorted(seconds.items(), key=lambda kv: -kv[1]):
            print(
                f"  {total:8.3f} {total * 1000 / chunks:9.1f} {calls[key]:7d}  {key}",
                file=sys.stderr,
            )


@contextmanager
def profiled(name: str, queries: Queries) -> Iterator[None]:
    """With ``--profile DIR``: cProfile the block into ``DIR/name.prof`` and print the
    statements that took the most time; with ``--sql-report`` only the statements."""
    if PROFILE_DIR is None:
        yield
        if SQL_REPORT:
            print(queries.report(f"-- {name}"), file=sys.stderr)
        return
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
        path = PROFILE_DIR / f"{name}.prof"
        profile.dump_stats(path)
        print(queries.report(f"-- {name}"), file=sys.stderr)
        stats = pstats.Stats(str(path), stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(r"enrollment_tracks|django/db|psycopg", 30)


class Timer:
    """Wall-clock laps, and this process's CPU time over the same laps (``cpu``)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.cpu = 0.0

    def lap(self) -> float:
        now, cpu = time.perf_counter(), time.process_time()
        elapsed, self.started = now - self.started, now
        self.cpu, self.cpu_started = cpu - self.cpu_started, cpu
        return elapsed


class Checks:
    """The after-the-fact verification of a scenario (never timed)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def equal(self, what: str, actual: object, expected: object) -> None:
        if actual != expected:
            self.problems.append(f"{what}: expected {expected}, found {actual}")


# ---------------------------------------------------------------------------- data


def seed(learners: int) -> dict[str, Metrics]:
    """The course, its team member and ``learners`` audit enrollments (set-based inserts)."""
    from django.db import connection, transaction

    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.core import bulk, clock
    from enrollment_tracks.courses.models import CourseRole
    from enrollment_tracks.courses.services import course_create, course_role_grant
    from enrollment_tracks.courses.types import CourseInput
    from enrollment_tracks.enrollments.models import Enrollment
    from enrollment_tracks.tracks import catalog
    from enrollment_tracks.tracks.services import course_track_create
    from enrollment_tracks.tracks.types import TrackInput

    course = course_create(data=CourseInput(key=COURSE_KEY, title="Benchmark course"))
    for slug in (catalog.AUDIT, catalog.HONOR):
        course_track_create(actor=None, course=course, data=TrackInput(slug=slug))
    staff = User.objects.create_user(
        username=STAFF_USERNAME, email="coursestaff@bench.example", name="Course Staff"
    )
    course_role_grant(course=course, user=staff, role=CourseRole.STAFF)
    now = clock.now()
    unusable = "!bench-no-password"  # nobody logs in as a benchmark learner
    user_table = User._meta.db_table
    with transaction.atomic():
        bulk.insert_rows(
            user_table,
            [
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "name",
            ],
            (
                [
                    unusable,
                    False,
                    learner_username(n),
                    "",
                    "",
                    f"{learner_username(n)}@bench.example",
                    False,
                    True,
                    now,
                    f"Bench Learner {n}",
                ]
                for n in range(1, learners + 1)
            ),
        )
        user_ids = [
            row[0]
            for row in bulk.fetch_all(
                f"SELECT id FROM {user_table} WHERE username LIKE %s ORDER BY id",  # noqa: S608
                [f"{LEARNER_PREFIX}%"],
            )
        ]
        bulk.insert_rows(
            Enrollment._meta.db_table,
            ["user_id", "course_id", "track", "is_active", "created", "updated"],
            ([user_id, course.pk, catalog.AUDIT, True, now, now] for user_id in user_ids),
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does to a freshly loaded table, done now so it cannot start
            # in the middle of a measurement.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checks = Checks()
    checks.equal("learners seeded", len(user_ids), learners)
    checks.equal(
        "audit enrollments seeded",
        Enrollment.objects.filter(course=course, track=catalog.AUDIT, is_active=True).count(),
        learners,
    )
    _raise_on(checks)
    return {"seed": {"learners": learners}}  # (seeding is not measured)


@dataclass(frozen=True)
class Context:
    course: CourseRun
    staff: User


def _context() -> Context:
    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.courses.models import CourseRun

    return Context(
        course=CourseRun.objects.get(key=COURSE_KEY),
        staff=User.objects.get(username=STAFF_USERNAME),
    )


def _identifiers_text() -> str:
    """All the learners' usernames, one a line, as pasted into the Membership tab."""
    from enrollment_tracks.accounts.models import User

    return "\n".join(
        User.objects.filter(username__startswith=LEARNER_PREFIX)
        .order_by("id")
        .values_list("username", flat=True)
    )


def _raise_on(checks: Checks) -> None:
    if checks.problems:
        raise SystemExit("verification failed:\n  " + "\n  ".join(checks.problems))


# ---------------------------------------------------------------------------- the job path


@dataclass
class JobFigures:
    job: MembershipJob
    status: str
    plan_seconds: float
    confirm_seconds: float
    run_seconds: float
    plan_cpu_seconds: float
    run_cpu_seconds: float
    plan_queries: Queries
    run_queries: Queries
    plan_peak_mb: float
    run_peak_mb: float

    @property
    def total_seconds(self) -> float:
        return self.plan_seconds + self.confirm_seconds + self.run_seconds


def run_job(context: Context, request: JobRequest, memory: Memory) -> JobFigures:
    """Submit (plan), confirm and run one job as the page and the worker would."""
    from enrollment_tracks.membership import runner
    from enrollment_tracks.membership.services import job_confirm, job_plan

    chunks = _chunks(len(request.entries))
    memory.start_phase()
    with (
        counting() as plan_queries,
        profiled(f"{request.action}-plan", plan_queries),
        timed_steps(f"{request.action}-plan", chunks),
    ):
        timer = Timer()
        job = job_plan(actor=context.staff, course=context.course, request=request)
        plan_seconds = timer.lap()
        plan_cpu_seconds = timer.cpu
        job = job_confirm(actor=context.staff, job=job)
        confirm_seconds = timer.lap()
    plan_peak = memory.phase_peak()
    memory.start_phase()
    with (
        counting() as run_queries,
        profiled(f"{request.action}-run", run_queries),
        timed_steps(f"{request.action}-run", chunks),
    ):
        timer = Timer()
        status = runner.job_run(job.pk)  # the worker's code path, in this process
        run_seconds = timer.lap()
        run_cpu_seconds = timer.cpu
    run_peak = memory.phase_peak()
    return JobFigures(
        job=job,
        status=str(status),
        plan_seconds=plan_seconds,
        confirm_seconds=confirm_seconds,
        run_seconds=run_seconds,
        plan_cpu_seconds=plan_cpu_seconds,
        run_cpu_seconds=run_cpu_seconds,
        plan_queries=plan_queries,
        run_queries=run_queries,
        plan_peak_mb=plan_peak,
        run_peak_mb=run_peak,
    )


def _chunks(learners: int) -> int:
    from django.conf import settings

    return max(1, math.ceil(learners / settings.MEMBERSHIP_CHUNK_SIZE))


def _job_metrics(figures: JobFigures, learners: int) -> Metrics:
    from django.conf import settings

    chunks = _chunks(learners)
    metrics: Metrics = {
        "plan_seconds": figures.plan_seconds,
        "confirm_seconds": figures.confirm_seconds,
        "run_seconds": figures.run_seconds,
        "total_seconds": figures.total_seconds,
        "learners_per_second": learners / figures.total_seconds,
        "run_learners_per_second": learners / figures.run_seconds,
        "plan_cpu_seconds": figures.plan_cpu_seconds,
        "run_cpu_seconds": figures.run_cpu_seconds,
        "chunk_size": settings.MEMBERSHIP_CHUNK_SIZE,
        "chunks": chunks,
        "plan_queries": figures.plan_queries.total,
        "run_queries": figures.run_queries.total,
        "queries_per_chunk": figures.run_queries.total / chunks,
        "plan_peak_rss_mb": figures.plan_peak_mb,
        "run_peak_rss_mb": figures.run_peak_mb,
    }
    for verb, count in sorted(figures.run_queries.kinds.items()):
        metrics[f"run_statements.{verb.lower()}"] = count
    return metrics


def _audit_rows(job_id: uuid.UUID) -> int:
    from enrollment_tracks.enrollments.models import EnrollmentAudit

    return EnrollmentAudit.objects.filter(batch_job_id=job_id).count()


def _results(job_id: uuid.UUID, outcome: str) -> int:
    from enrollment_tracks.membership.models import JobResult

    return JobResult.objects.filter(job_id=job_id, outcome=outcome).count()


def change_track(learners: int) -> dict[str, Metrics]:
    """Scenario (1): audit → honor for everyone, through the job path, notifications on."""
    from enrollment_tracks.enrollments.models import Enrollment
    from enrollment_tracks.membership.models import JobStatus
    from enrollment_tracks.membership.parsing import parse_text
    from enrollment_tracks.membership.planning import JobRequest
    from enrollment_tracks.notifications.models import OutboxMessage

    memory = Memory()
    context = _context()
    timer = Timer()
    entries = parse_text(_identifiers_text())
    parse_seconds = timer.lap()
    request = JobRequest(
        action="change_track",
        entries=entries,
        to_track="honor",
        notify=True,
        reason=REASON,
        source="command",
    )
    figures = run_job(context, request, memory)
    job_id = figures.job.pk

    checks = Checks()
    checks.equal("job status", figures.status, JobStatus.SUCCEEDED)
    course = context.course
    checks.equal(
        "learners on honor",
        Enrollment.objects.filter(course=course, track="honor", is_active=True).count(),
        learners,
    )
    checks.equal("learners on audit", Enrollment.objects.filter(track="audit").count(), 0)
    checks.equal("audit rows of the job", _audit_rows(job_id), learners)
    checks.equal("results 'changed'", _results(job_id, "changed"), learners)
    checks.equal(
        "outbox rows of the job",
        OutboxMessage.objects.filter(key__startswith=f"membership:{job_id}:").count(),
        learners,
    )
    checks.equal("outbox rows", OutboxMessage.objects.count(), learners)
    _raise_on(checks)

    metrics = _job_metrics(figures, learners)
    metrics["parse_seconds"] = parse_seconds
    metrics["peak_rss_mb"] = memory.overall
    return {"change_track": metrics}


def unenroll_reenroll(learners: int) -> dict[str, Metrics]:
    """Scenario (2): bulk unenroll, then bulk re-enroll on honor; two jobs, notify off."""
    from enrollment_tracks.enrollments.models import Enrollment
    from enrollment_tracks.membership.models import JobStatus
    from enrollment_tracks.membership.parsing import parse_text
    from enrollment_tracks.membership.planning import JobRequest
    from enrollment_tracks.notifications.models import OutboxMessage

    memory = Memory()
    context = _context()
    entries = parse_text(_identifiers_text())
    course = context.course
    checks = Checks()
    out: dict[str, Metrics] = {}

    unenroll = run_job(
        context,
        JobRequest(action="unenroll", entries=entries, notify=False, reason=REASON),
        memory,
    )
    checks.equal("unenroll job status", unenroll.status, JobStatus.SUCCEEDED)
    checks.equal(
        "active enrollments after unenroll",
        Enrollment.objects.filter(course=course, is_active=True).count(),
        0,
    )
    checks.equal("audit rows of the unenroll job", _audit_rows(unenroll.job.pk), learners)
    checks.equal("results 'unenrolled'", _results(unenroll.job.pk, "unenrolled"), learners)

    reenroll = run_job(
        context,
        JobRequest(action="enroll", entries=entries, to_track="honor", notify=False, reason=REASON),
        memory,
    )
    checks.equal("re-enroll job status", reenroll.status, JobStatus.SUCCEEDED)
    checks.equal(
        "learners back, on honor",
        Enrollment.objects.filter(course=course, is_active=True, track="honor").count(),
        learners,
    )
    checks.equal("audit rows of the re-enroll job", _audit_rows(reenroll.job.pk), learners)
    checks.equal("results 'enrolled'", _results(reenroll.job.pk, "enrolled"), learners)
    checks.equal("outbox rows (notify off)", OutboxMessage.objects.count(), 0)
    _raise_on(checks)

    for name, figures in (("unenroll", unenroll), ("reenroll", reenroll)):
        metrics = _job_metrics(figures, learners)
        metrics["seconds"] = figures.total_seconds
        out[name] = metrics
    out["unenroll_reenroll"] = {
        "total_seconds": unenroll.total_seconds + reenroll.total_seconds,
        "learners_per_second": learners / (unenroll.total_seconds + reenroll.total_seconds),
        "peak_rss_mb": memory.overall,
    }
    return out


def naive(learners: int, sample: int) -> dict[str, Metrics]:
    """Scenario (3): per learner, get the user then ``enrollment_change_track`` (its own
    transaction: lock and read the enrollment, save the track, create the audit row)."""
    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
    from enrollment_tracks.enrollments.services import enrollment_change_track

    memory = Memory()
    context = _context()
    course, staff = context.course, context.staff
    user_ids = list(
        Enrollment.objects.filter(course=course, track="audit", is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)[:sample]
    )
    memory.start_phase()
    with counting() as queries, profiled("naive-loop", queries):
        timer = Timer()
        for user_id in user_ids:
            learner = User.objects.get(pk=user_id)
            enrollment_change_track(
                actor=staff, learner=learner, course=course, track="honor", reason=REASON
            )
        seconds = timer.lap()
        cpu_seconds = timer.cpu
    run_peak = memory.phase_peak()

    checks = Checks()
    checks.equal("learners in the sample", len(user_ids), sample)
    checks.equal(
        "learners moved to honor",
        Enrollment.objects.filter(course=course, track="honor").count(),
        sample,
    )
    checks.equal("audit rows written", EnrollmentAudit.objects.count(), sample)
    _raise_on(checks)
    return {
        "naive_loop": {
            "learners": sample,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "learners_per_second": sample / seconds,
            "extrapolated_learners": learners,
            "extrapolated_seconds": seconds * learners / sample,
            "queries_per_learner": queries.total / sample,
            "run_peak_rss_mb": run_peak,
            "peak_rss_mb": memory.overall,
        }
    }


STEPS = ("seed", "change_track", "unenroll_reenroll", "naive")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--result", type=Path, required=True, help="where to write the figures")
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--naive-learners", type=int, default=5_000)
    parser.add_argument("--profile", type=Path, help="cProfile each phase into this directory")
    parser.add_argument(
        "--sql-report", action="store_true", help="print each phase's slowest statements"
    )
    parser.add_argument(
        "--steps", action="store_true", help="print the time of each engine step, per chunk"
    )
    args = parser.parse_args(argv)
    global PROFILE_DIR, SQL_REPORT, STEPS_REPORT
    PROFILE_DIR = args.profile
    SQL_REPORT = args.sql_report
    STEPS_REPORT = args.steps
    django_setup()
    if args.step == "seed":
        figures = seed(args.learners)
    elif args.step == "change_track":
        figures = change_track(args.learners)
    elif args.step == "unenroll_reenroll":
        figures = unenroll_reenroll(args.learners)
    else:
        figures = naive(args.learners, min(args.naive_learners, args.learners))
    args.result.write_text(json.dumps(figures, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
