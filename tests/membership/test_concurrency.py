"""Two jobs on overlapping learners, run at the same time by two workers (PostgreSQL row locks).

Job 1 moves learners 1..3000 from audit to honor, listed in a shuffled order; job 2 unenrolls
learners 2001..5000 in order. Each runs in its own thread and connection, so their chunks meet
on the same rows from the first chunk on, in both orders. Both must succeed without a deadlock,
and every learner's audit rows, replayed in order, must end at the stored state.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import bulk, clock
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Transition
from enrollment_tracks.membership import runner
from enrollment_tracks.membership.models import JobResult, JobStatus, MembershipJob
from enrollment_tracks.membership.parsing import Entry
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.services import JobRequest, job_confirm, job_plan
from enrollment_tracks.notifications.models import OutboxMessage
from tests.factories import make_course, make_course_team, make_track

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

LEARNERS = 5000
TO_HONOR = range(0, 3000)  # learners 1..3000
UNENROLL = range(2000, 5000)  # learners 2001..5000
USER_COLUMNS = (
    *("username", "email", "name", "password", "is_active", "is_staff", "is_superuser"),
    *("first_name", "last_name", "date_joined"),
)


def _seed(course) -> list[str]:
    """LEARNERS learners enrolled on audit, inserted set-based; their usernames in order."""
    now = clock.now()
    names = [f"c{n:05d}" for n in range(LEARNERS)]
    password = make_password(None)
    with transaction.atomic():
        bulk.insert_rows(
            User._meta.db_table,
            USER_COLUMNS,
            (
                [name, f"{name}@example.org", name, password, True, False, False, "", "", now]
                for name in names
            ),
        )
        ids = User.objects.filter(username__in=names).order_by("username").values_list("pk")
        bulk.insert_rows(
            Enrollment._meta.db_table,
            ["user_id", "course_id", "track", "is_active", "created", "updated"],
            ([pk, course.pk, "audit", True, now, now] for (pk,) in ids),
        )
    return names


def _confirmed(staff, course, usernames, **options) -> MembershipJob:
    entries = [Entry(name) for name in usernames]
    job = job_plan(actor=staff, course=course, request=JobRequest(entries=entries, **options))
    return job_confirm(actor=staff, job=job)


def _replay(rows) -> tuple[str, bool]:
    """The state an enrollment's audit rows lead to, from the seeded (audit, enrolled)."""
    state = ("audit", True)
    for row in rows:
        assert row.track_before == state[0], row
        active = {
            Transition.ENROLLED_TO_UNENROLLED: False,
            Transition.ENROLLED_TO_ENROLLED: True,
            Transition.UNENROLLED_TO_ENROLLED: True,
        }[row.transition]
        assert state[1] != active or row.transition == Transition.ENROLLED_TO_ENROLLED, row
        state = (row.track_after, active)
    return state


def test_overlapping_jobs_end_consistent(settings):
    settings.MEMBERSHIP_CHUNK_SIZE = 250
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    staff = make_course_team(course)
    names = _seed(course)
    shuffled = [names[n] for n in TO_HONOR]
    random.Random(2026).shuffle(shuffled)
    to_honor = _confirmed(staff, course, shuffled, action="change_track", to_track="honor")
    unenroll = _confirmed(staff, course, [names[n] for n in UNENROLL], action="unenroll")
    errors: list[BaseException] = []
    statuses: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def run(job: MembershipJob) -> None:
        try:
            barrier.wait(timeout=10)
            statuses[job.action] = job_run(job.pk)
        except BaseException as error:  # a deadlock would surface here
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in (to_honor, unenroll)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert statuses == {"change_track": JobStatus.SUCCEEDED, "unenroll": JobStatus.SUCCEEDED}

    final = {
        username: (track, active)
        for username, track, active in Enrollment.objects.filter(course=course).values_list(
            "user__username", "track", "is_active"
        )
    }
    # Only in job 1: on honor. Only in job 2: unenrolled from audit. In both: unenrolled,
    # from honor or from audit depending on which job reached the learner first.
    assert {final[names[n]] for n in range(0, 2000)} == {("honor", True)}
    assert {final[names[n]] for n in range(3000, 5000)} == {("audit", False)}
    overlap = Counter(final[names[n]] for n in range(2000, 3000))
    assert set(overlap) <= {("honor", False), ("audit", False)}
    assert sum(overlap.values()) == 1000

    # The jobs' own accounts agree with the outcome.
    to_honor.refresh_from_db()
    unenroll.refresh_from_db()
    assert unenroll.counts == {"unenrolled": 3000}
    assert to_honor.counts["changed"] == 2000 + overlap[("honor", False)]
    assert to_honor.counts.get("not_enrolled", 0) == overlap[("audit", False)]

    # Replaying every learner's audit rows in order ends exactly at the stored state.
    audit = EnrollmentAudit.objects.filter(course=course).order_by("id")
    by_learner: dict[str, list[EnrollmentAudit]] = {}
    for row in audit.select_related("learner"):
        by_learner.setdefault(row.learner.username, []).append(row)
    for username in names:
        assert _replay(by_learner.get(username, [])) == final[username], username
    assert sum(len(rows) for rows in by_learner.values()) == (
        to_honor.counts["changed"] + unenroll.counts["unenrolled"]
    )


def test_one_job_applies_its_chunks_side_by_side_once_each(settings, monkeypatch):
    settings.MEMBERSHIP_CHUNK_SIZE = 250
    settings.MEMBERSHIP_PARALLEL_CHUNKS = 2
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    staff = make_course_team(course)
    names = _seed(course)
    job = _confirmed(
        staff, course, names, action="change_track", to_track="honor", notify=True, reason="Honor"
    )
    threads: set[str] = set()
    apply_chunk = runner.apply_chunk

    def recording(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return apply_chunk(*args, **kwargs)

    monkeypatch.setattr(runner, "apply_chunk", recording)
    assert job_run(job.pk) == JobStatus.SUCCEEDED
    assert len(threads) == 2
    job.refresh_from_db()
    assert (job.done, job.counts) == (LEARNERS, {"changed": LEARNERS})
    assert set(Enrollment.objects.filter(course=course).values_list("track", flat=True)) == {
        "honor"
    }
    audit = EnrollmentAudit.objects.filter(batch_job_id=job.pk)
    assert audit.count() == audit.values("learner_id").distinct().count() == LEARNERS
    assert JobResult.objects.filter(job=job).count() == LEARNERS
    assert OutboxMessage.objects.count() == LEARNERS
