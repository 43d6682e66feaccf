"""Certificates at scale: eligibility and issuing for 100,000 enrolled learners with grades
(mixed tracks and ID verification states), on SQLite and PostgreSQL, and PDF renders per second.

``python -m bench.certificates [--backends sqlite,postgres] [--learners 100000]``, also run by
``bench/run.py`` (part ``certificates``). Each backend gets a fresh database, seeded in a child
process (not measured), where the measured steps then run:

* ``eligibility_seconds``: every learner's status (`selectors.learner_rows_of_course`: one
  statement for the facts, one verification look-up, the pure rule per learner);
* ``generate_seconds``: the “generate certificates” job for the whole course
  (`services.generation_job_start` + `generation.job_run`), the target (≤ 30 s);
* ``rerun_seconds``: the same job again (idempotent: issues nobody);
* ``pdf_renders_per_second``: ``certificate_view`` + ``certificate_pdf`` for 100 certificates.

Figures go to ``bench/results/latest.json`` as ``<backend>.certificates.<metric>``; the other
metrics of the file are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.databases import measure_in_child

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
SQLITE_PATH = ROOT / "var" / "bench" / "certificates.sqlite3"
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
POSTGRES_DB = "enrollment_tracks_bench_certificates"
TARGET_SECONDS = 30.0
PDF_SAMPLE = 100
COURSE_KEY = "course-v1:BenchX+Certificates+2026"
#: Track mix of the enrolled learners (per 20): audit 5, honor 7, verified 6, no-id-professional 2.
TRACK_CYCLE = ["audit"] * 5 + ["honor"] * 7 + ["verified"] * 6 + ["no-id-professional"] * 2


class BenchFailed(RuntimeError):
    pass


# ---------------------------------------------------------------------------- parent side


def run_certificates(
    backends: list[str],
    learners: int,
    say: Callable[[str], None],
    failures: list[str],
    admin_url: str = POSTGRES_ADMIN_URL,
) -> dict[str, float]:
    """Measure each backend in a child process; returns the flat metrics."""
    metrics: dict[str, float] = {}
    for backend in backends:
        say(f"== certificates on {backend}: seeding {learners:,} learners, then measuring")
        figures = measure_in_child(
            module="bench.certificates",
            label="certificates",
            args=["--learners", str(learners)],
            backend=backend,
            admin_url=admin_url,
            sqlite_path=SQLITE_PATH,
            postgres_db=POSTGRES_DB,
            root=ROOT,
            say=say,
            failures=failures,
        )
        if figures is None:
            continue
        for name, value in figures.items():
            metrics[f"{backend}.certificates.{name}"] = value
        metrics[f"{backend}.certificates.target_seconds"] = TARGET_SECONDS
        metrics[f"{backend}.certificates.target_met"] = float(
            figures["generate_seconds"] <= TARGET_SECONDS
        )
    return metrics


def table(metrics: dict[str, float]) -> list[str]:
    rows = [
        ("learners enrolled", "learners", ",.0f"),
        ("every learner's status (eligibility)  s", "eligibility_seconds", ".2f"),
        ("generate certificates, whole course  s", "generate_seconds", ".2f"),
        ("certificates issued", "issued", ",.0f"),
        ("generate again (idempotent)  s", "rerun_seconds", ".2f"),
        ("PDF renders / second", "pdf_renders_per_second", ".1f"),
        ("target ≤ 30 s met (1/0)", "target_met", ".0f"),
    ]
    lines = [f"{'':44}{'SQLite':>14}{'PostgreSQL':>14}"]
    for label, suffix, fmt in rows:
        cells = []
        for backend in ("sqlite", "postgres"):
            value = metrics.get(f"{backend}.certificates.{suffix}")
            cells.append(f"{'—' if value is None else format(value, fmt):>14}")
        lines.append(f"    {label:40}" + "".join(cells))
    return lines


# ---------------------------------------------------------------------------- child side


def _seed(learners: int) -> None:
    import datetime as dt
    import uuid
    from decimal import Decimal

    from django.apps import apps
    from django.db import connection, transaction

    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.certificates import services
    from enrollment_tracks.certificates.models import Grade
    from enrollment_tracks.certificates.types import ConfigurationInput, SignatoryInput
    from enrollment_tracks.core import bulk, clock
    from enrollment_tracks.core.services import site_configuration_update
    from enrollment_tracks.courses.services import course_create
    from enrollment_tracks.courses.types import CourseInput
    from enrollment_tracks.enrollments.models import Enrollment
    from enrollment_tracks.tracks.services import course_track_create
    from enrollment_tracks.tracks.types import TrackInput

    site_configuration_update(ecommerce_enabled=True, id_verification_enabled=True)
    course = course_create(data=CourseInput(key=COURSE_KEY, title="Certificates benchmark"))
    for slug, price in (("audit", 0), ("honor", 0), ("verified", 49), ("no-id-professional", 99)):
        course_track_create(
            actor=None, course=course, data=TrackInput(slug=slug, price=Decimal(price))
        )
    now = clock.now()
    with transaction.atomic():
        bulk.insert_rows(
            User._meta.db_table,
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
                    "!",
                    False,
                    f"cert{n:06d}",
                    "",
                    "",
                    f"cert{n:06d}@bench.example",
                    False,
                    True,
                    now,
                    f"Bench Learner {n}",
                ]
                for n in range(learners)
            ),
        )
        user_ids = [
            row[0]
            for row in bulk.fetch_all(
                f"SELECT id FROM {User._meta.db_table} WHERE username LIKE %s ORDER BY id",  # noqa: S608
                ["cert%"],
            )
        ]
        bulk.insert_rows(
            Enrollment._meta.db_table,
            ["user_id", "course_id", "track", "is_active", "created", "updated"],
            (
                [user_id, course.pk, TRACK_CYCLE[n % len(TRACK_CYCLE)], True, now, now]
                for n, user_id in enumerate(user_ids)
            ),
        )
        enrollments = bulk.fetch_all(
            f"SELECT id, user_id, track FROM {Enrollment._meta.db_table} "  # noqa: S608
            "WHERE course_id = %s ORDER BY id",
            [course.pk],
        )
        # 9 in 10 learners graded; grades spread over 0-100, so about 40 % pass at 60 %.
        bulk.insert_rows(
            Grade._meta.db_table,
            ["enrollment_id", "percent", "updated_at"],
            (
                [enrollment_id, Decimal((n * 37) % 101), now]
                for n, (enrollment_id, _, _) in enumerate(enrollments)
                if n % 10
            ),
        )
        if apps.is_installed("enrollment_tracks.verification"):
            attempt = apps.get_model("verification", "VerificationAttempt")
            verified_learners = [u for n, (_, u, t) in enumerate(enrollments) if t == "verified"]
            attempt.objects.bulk_create(
                [
                    attempt(
                        user_id=user_id,
                        status="approved",
                        submission_key=uuid.uuid4().hex,
                        review_mode="automatic",
                        created_at=now,
                        updated_at=now,
                        submitted_at=now,
                        decided_at=now - dt.timedelta(minutes=1),
                        expires_at=now + dt.timedelta(days=365),
                    )
                    for user_id in verified_learners[::2]  # half of them verified
                ],
                batch_size=5000,
            )
    services.passing_grade_set(actor=None, course=course, percent="60")
    services.configuration_save(
        actor=None,
        course=course,
        data=ConfigurationInput(
            title="Certificate of Achievement",
            organisation_name="BenchX",
            description="Benchmark",
            is_active=True,
            signatories=(SignatoryInput("Ada Lovelace", "Course lead"),),
        ),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _measure(learners: int) -> dict[str, float]:
    from enrollment_tracks.certificates import generation, selectors, services
    from enrollment_tracks.certificates.models import Certificate, GenerationJob, JobStatus
    from enrollment_tracks.certificates.pdf import certificate_pdf
    from enrollment_tracks.certificates.rendering import certificate_view
    from enrollment_tracks.courses.models import CourseRun

    course = CourseRun.objects.get(key=COURSE_KEY)
    started = time.perf_counter()
    rows = selectors.learner_rows_of_course(course)
    eligibility = time.perf_counter() - started
    due = sum(1 for row in rows if row.verdict.issue)
    if len(rows) != learners:
        raise BenchFailed(f"{len(rows)} learners read, {learners} seeded")

    started = time.perf_counter()
    job = services.generation_job_start(actor=None, course=course)
    status = generation.job_run(job.pk)
    generate = time.perf_counter() - started
    job = GenerationJob.objects.get(pk=job.pk)
    if status != JobStatus.SUCCEEDED or job.issued != due or Certificate.objects.count() != due:
        raise BenchFailed(f"job {status}: {job.issued} issued, {due} due")

    started = time.perf_counter()
    again = services.generation_job_start(actor=None, course=course)
    generation.job_run(again.pk)
    rerun = time.perf_counter() - started
    if GenerationJob.objects.get(pk=again.pk).issued != 0 or Certificate.objects.count() != due:
        raise BenchFailed("the second job issued certificates again")

    sample = list(Certificate.objects.select_related("course")[:PDF_SAMPLE])
    certificate_pdf(certificate_view(sample[0]), "http://127.0.0.1:8000/")  # warm-up: URLs
    started = time.perf_counter()
    for certificate in sample:
        body = certificate_pdf(certificate_view(certificate), "http://127.0.0.1:8000/")
        if not body.startswith(b"%PDF"):
            raise BenchFailed("not a PDF")
    pdf_seconds = time.perf_counter() - started
    return {
        "learners": learners,
        "eligibility_seconds": eligibility,
        "generate_seconds": generate,
        "issued": due,
        "chunks": -(-learners // generation.CHUNK_SIZE),
        "rerun_seconds": rerun,
        "pdf_renders_per_second": len(sample) / pdf_seconds if pdf_seconds else 0.0,
    }


def child(result: Path, learners: int) -> int:
    for path in (str(ROOT / "src"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _seed(learners)
    figures = _measure(learners)
    result.write_text(json.dumps(figures, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Certificates at 100,000 learners.")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.result, args.learners)
    failures: list[str] = []
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    metrics = run_certificates(backends, args.learners, print, failures)
    print(f"Certificates, {args.learners:,} learners in one course")
    for line in table(metrics):
        print(line)
    kept = json.loads(args.output.read_text()) if args.output.exists() else {}
    rounded = {key: round(value, 3) for key, value in metrics.items()}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({**kept, **rounded}, indent=2, sort_keys=True) + "\n")
    if failures:
        print("Failed steps:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
