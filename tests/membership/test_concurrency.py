"""Two jobs on overlapping learners, run at the same time by two workers (PostgreSQL locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from enrollment_tracks.core import bulk, clock
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Transition
from enrollment_tracks.membership.models import JobStatus
from enrollment_tracks.membership.parsing import Entry
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.services import JobRequest, job_confirm, job_plan
from tests.factories import UserFactory, make_course, make_course_team, make_track

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

LEARNERS = 3000


def _seed(course):
    now = clock.now()
    people = UserFactory.create_batch(LEARNERS)
    bulk_rows = ([p.pk, course.pk, "audit", True, now, now] for p in people)
    from django.db import transaction

    with transaction.atomic():
        bulk.insert_rows(
            Enrollment._meta.db_table,
            ["user_id", "course_id", "track", "is_active", "created", "updated"],
            bulk_rows,
        )
    return people


def _plan(staff, course, people, **options):
    job = job_plan(
        actor=staff,
        course=course,
        request=JobRequest(entries=[Entry(p.username) for p in people], **options),
    )
    return job_confirm(actor=staff, job=job)


def test_overlapping_jobs_end_consistent(settings):
    settings.MEMBERSHIP_CHUNK_SIZE = 250
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    staff = make_course_team(course)
    people = _seed(course)
    to_honor = _plan(staff, course, people[:2000], action="change_track", to_track="honor")
    unenroll = _plan(staff, course, people[1000:], action="unenroll")
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(job) -> None:
        try:
            barrier.wait(timeout=10)
            assert job_run(job.pk) == JobStatus.SUCCEEDED
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in (to_honor, unenroll)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    final = {
        row.user_id: (row.track, row.is_active) for row in Enrollment.objects.filter(course=course)
    }
    # Learners only in the first job are on honor; only in the second are unenrolled audit.
    assert all(final[p.pk] == ("honor", True) for p in people[:1000])
    assert all(final[p.pk] == ("audit", False) for p in people[2000:])
    # In the overlap each learner ends unenrolled; the track depends on which job came first.
    overlap = people[1000:2000]
    assert all(not final[p.pk][1] for p in overlap)
    # Replaying every learner's audit rows in order ends exactly at the stored state.
    for person in people:
        state = ("audit", True)
        rows = EnrollmentAudit.objects.filter(course=course, learner=person).order_by("id")
        for row in rows:
            active = row.transition != Transition.ENROLLED_TO_UNENROLLED
            assert row.track_before == state[0]
            state = (row.track_after, active)
        assert state == final[person.pk], person.username
