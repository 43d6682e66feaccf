"""The Django side of the API scenario, one step per process: ``python -m bench.api_child STEP``.

The parent (``bench/api.py``) points ``DATABASE_URL`` at the scenario's PostgreSQL database,
sets ``DJANGO_SETTINGS_MODULE=bench.settings`` and the ``SECRET_KEY`` the server will use (the
sessions written here are signed with it), and reads ``--result FILE`` once the step has ended.

Steps:

``seed``
    Migrate; one course offering audit and honor; enrolled learners (the readers, plus
    background enrollments so that the tables are not tiny); fresh learners for each POST run
    (never enrolled anywhere). Every learner who takes part in a run gets a signed-in session
    (a ``django_session`` row, as logging in writes it) and a CSRF token; each run's
    credentials are written to ``CREDENTIALS_DIR/<set>.txt``, one ``session csrf`` pair a line.
``probe``
    One request to each measured endpoint through Django's test client with CSRF checks on,
    not timed: each must answer 200, the ceiling's bodies must have the same fields as ours,
    and the number of SQL statements of each is recorded.
``verify``
    After the runs: the enrollments and audit rows each POST run wrote.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.child import django_setup

COURSE_KEY = "course-v1:BenchX+Api+2026"
#: Learner sets: name → username prefix. ``readers`` are enrolled; the others are fresh.
READERS = "readers"
POST_SETS = ("api_post", "ceiling_post", "api_warmup", "ceiling_warmup", "probe")
PREFIXES = {
    READERS: "reader",
    "background": "enrolled",
    "api_post": "apipost",
    "ceiling_post": "ceilpost",
    "api_warmup": "apiwarm",
    "ceiling_warmup": "ceilwarm",
    "probe": "probe",
}
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
UNUSABLE_PASSWORD = "!bench-no-password"  # noqa: S105  (unusable: nobody logs in with it)

API_POST_PATH = "/api/enrollment/v1/enrollment"
API_GET_PATH = f"/api/enrollment/v1/enrollment/{COURSE_KEY}"
API_COURSE_PATH = f"/api/enrollment/v1/course/{COURSE_KEY}"  # anonymous: the readiness check
CEILING_POST_PATH = "/bench/ceiling/enrollment"
CEILING_GET_PATH = f"/bench/ceiling/enrollment/{COURSE_KEY}"
POST_BODY = json.dumps({"course_details": {"course_id": COURSE_KEY}})


def username(prefix: str, number: int) -> str:
    return f"{prefix}{number:06d}"


@dataclass(frozen=True)
class Sizes:
    readers: int
    background: int
    fresh: int
    warmup: int

    def of(self, name: str) -> int:
        if name == READERS:
            return self.readers
        if name == "background":
            return self.background
        if name == "probe":
            return 4
        if name.endswith("_warmup"):
            return self.warmup
        return self.fresh


# ---------------------------------------------------------------------------- seed


def _insert_users(prefix: str, count: int) -> list[int]:
    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.core import bulk, clock

    now = clock.now()
    table = User._meta.db_table
    columns = ["password", "is_superuser", "username", "first_name", "last_name", "email"]
    columns += ["is_staff", "is_active", "date_joined", "name"]

    def row(n: int) -> list[Any]:
        name = username(prefix, n)
        return [UNUSABLE_PASSWORD, False, name, "", "", f"{name}@b.test", False, True, now, name]

    bulk.insert_rows(table, columns, (row(n) for n in range(1, count + 1)))
    return [
        row[0]
        for row in bulk.fetch_all(
            f"SELECT id FROM {table} WHERE username LIKE %s ORDER BY username",  # noqa: S608
            [f"{prefix}%"],
        )
    ]


def _sessions(user_ids: list[int]) -> Iterator[tuple[str, str, list[Any]]]:
    """(session key, CSRF token, the ``django_session`` row) of a signed-in session per user."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.core import clock

    store = SessionStore()
    # Every bench learner has the same (unusable) password, hence the same auth hash.
    auth_hash = User(password=UNUSABLE_PASSWORD).get_session_auth_hash()
    expires = clock.now() + dt.timedelta(days=1)
    for user_id in user_ids:
        key = secrets.token_hex(16)
        data = store.encode(
            {
                SESSION_KEY: str(user_id),
                BACKEND_SESSION_KEY: SESSION_BACKEND,
                HASH_SESSION_KEY: auth_hash,
            }
        )
        yield key, secrets.token_hex(16), [key, data, expires]


def seed(sizes: Sizes, credentials: Path) -> dict[str, Any]:
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction

    from enrollment_tracks.core import bulk, clock
    from enrollment_tracks.courses.services import course_create
    from enrollment_tracks.courses.types import CourseInput
    from enrollment_tracks.enrollments.models import Enrollment
    from enrollment_tracks.tracks import catalog
    from enrollment_tracks.tracks.services import course_track_create
    from enrollment_tracks.tracks.types import TrackInput

    course = course_create(data=CourseInput(key=COURSE_KEY, title="API benchmark course"))
    for slug in (catalog.AUDIT, catalog.HONOR):
        course_track_create(actor=None, course=course, data=TrackInput(slug=slug))
    credentials.mkdir(parents=True, exist_ok=True)
    now = clock.now()
    with transaction.atomic():
        enrolled: list[int] = []
        for name in ("background", READERS, *POST_SETS):
            ids = _insert_users(PREFIXES[name], sizes.of(name))
            if name in ("background", READERS):
                enrolled += ids
            if name == "background":
                continue
            rows = []
            with (credentials / f"{name}.txt").open("w") as out:
                for key, csrf, row in _sessions(ids):
                    out.write(f"{key} {csrf}\n")
                    rows.append(row)
            bulk.insert_rows(
                Session._meta.db_table, ["session_key", "session_data", "expire_date"], rows
            )
        bulk.insert_rows(
            Enrollment._meta.db_table,
            ["user_id", "course_id", "track", "is_active", "created", "updated"],
            ([user_id, course.pk, catalog.AUDIT, True, now, now] for user_id in enrolled),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would do to freshly loaded tables
    return {"enrolled": len(enrolled), "fresh_per_run": sizes.fresh}


# ---------------------------------------------------------------------------- probe


def _first_credentials(credentials: Path, name: str, index: int = 0) -> tuple[str, str]:
    lines = (credentials / f"{name}.txt").read_text().splitlines()
    key, csrf = lines[index].split()
    return key, csrf


def probe(credentials: Path) -> dict[str, Any]:
    """One request per endpoint, with the statements it sends; raises unless all answer 200."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def client(name: str, index: int) -> Client:
        key, csrf = _first_credentials(credentials, name, index)
        browser = Client(enforce_csrf_checks=True, SERVER_NAME="127.0.0.1")
        browser.cookies[settings.SESSION_COOKIE_NAME] = key
        browser.cookies[settings.CSRF_COOKIE_NAME] = csrf
        browser.defaults["HTTP_X_CSRFTOKEN"] = csrf
        return browser

    # The site's configuration is cached per process after its first read: read it first, so
    # that the statements counted are those of every request.
    Client(SERVER_NAME="127.0.0.1").get(API_COURSE_PATH)
    figures: dict[str, Any] = {}
    bodies: dict[str, Any] = {}
    requests = {
        "api_enrollment_post": ("probe", 0, "post", API_POST_PATH),
        "ceiling_enrollment_post": ("probe", 1, "post", CEILING_POST_PATH),
        "api_enrollment_get": (READERS, 0, "get", API_GET_PATH),
        "ceiling_enrollment_get": (READERS, 0, "get", CEILING_GET_PATH),
    }
    problems = []
    statements: dict[str, list[str]] = {}
    for name, (learners, index, method, path) in requests.items():
        browser = client(learners, index)
        with CaptureQueriesContext(connection) as queries:
            if method == "post":
                response = browser.post(path, POST_BODY, content_type="application/json")
            else:
                response = browser.get(path)
        if response.status_code != 200:
            problems.append(f"{method.upper()} {path}: {response.status_code} {response.content!r}")
            continue
        bodies[name] = response.json()
        figures[f"{name}_queries"] = len(queries.captured_queries)
        statements[name] = [query["sql"] for query in queries.captured_queries]
    for what in ("post", "get"):
        ours, ceiling = (
            bodies.get(f"api_enrollment_{what}"),
            bodies.get(f"ceiling_enrollment_{what}"),
        )
        if ours is not None and ceiling is not None and _shape(ours) != _shape(ceiling):
            problems.append(f"{what}: the ceiling's body differs from ours: {ceiling} / {ours}")
    if problems:
        raise SystemExit("probe failed:\n  " + "\n  ".join(problems))
    figures["statements"] = statements
    return figures


def _shape(body: Any) -> Any:
    """The body without its timestamps and usernames, to compare ours with the ceiling's."""
    if isinstance(body, dict):
        return {key: _shape(value) for key, value in body.items() if key not in ("created", "user")}
    if isinstance(body, list):
        return [_shape(item) for item in body]
    return body


# ---------------------------------------------------------------------------- verify


def verify() -> dict[str, Any]:
    """Active enrollments and audit rows of each POST run's learners."""
    from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit

    figures: dict[str, Any] = {}
    for name in ("api_post", "ceiling_post"):
        prefix = PREFIXES[name]
        figures[f"{name}_enrolled"] = Enrollment.objects.filter(
            user__username__startswith=prefix, course__key=COURSE_KEY, is_active=True
        ).count()
        figures[f"{name}_audit_rows"] = EnrollmentAudit.objects.filter(
            learner__username__startswith=prefix
        ).count()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A step of the API benchmark.")
    parser.add_argument("step", choices=("seed", "probe", "verify"))
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--credentials", type=Path, required=True)
    parser.add_argument("--readers", type=int, default=20_000)
    parser.add_argument("--background", type=int, default=80_000)
    parser.add_argument("--fresh", type=int, default=30_000)
    parser.add_argument("--warmup", type=int, default=3_000)
    args = parser.parse_args(argv)
    django_setup()
    if args.step == "seed":
        sizes = Sizes(
            readers=args.readers, background=args.background, fresh=args.fresh, warmup=args.warmup
        )
        figures = seed(sizes, args.credentials)
    elif args.step == "probe":
        figures = probe(args.credentials)
    else:
        figures = verify()
    args.result.write_text(json.dumps(figures, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
