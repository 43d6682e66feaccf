"""change_enrollment and bulk_change_enrollment: dry run by default, the job engine on --commit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.membership.models import JobSource, JobStatus, MembershipJob
from tests.factories import UserFactory, make_course, make_track


@pytest.fixture
def operator():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def course(operator):
    course = make_course(key="course-v1:CmdX+Tracks+2026")
    make_track(course, "audit")
    make_track(course, "honor")
    return course


@pytest.fixture
def learners(course, operator):
    people = UserFactory.create_batch(4)
    for person in people:
        enrollment_create(actor=operator, learner=person, course=course, track="audit")
    return people


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _tracks(course) -> list[str]:
    return list(Enrollment.objects.filter(course=course).values_list("track", flat=True))


def test_change_enrollment_is_a_dry_run_by_default(course, learners):
    users = ",".join(person.username for person in learners[:2])
    out = _run("change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor", "-u", users)
    assert "Will change track (audit→honor): 2" in out
    assert "Dry run: nothing changed" in out
    assert _tracks(course) == ["audit"] * 4
    assert MembershipJob.objects.get().status == JobStatus.CANCELLED


def test_change_enrollment_commit_applies_through_the_job_engine(course, learners):
    users = learners[0].username
    emails = learners[1].email
    out = _run(
        "change_enrollment",
        "-c",
        course.key,
        "-f",
        "audit",
        "-t",
        "honor",
        "-u",
        users,
        "-e",
        emails,
        "--commit",
    )
    assert "Successfully updated 2 out of 2 users" in out
    job = MembershipJob.objects.get()
    assert (job.source, job.status) == (JobSource.COMMAND, JobStatus.SUCCEEDED)
    assert sorted(_tracks(course)) == ["audit", "audit", "honor", "honor"]
    rows = EnrollmentAudit.objects.filter(batch_job_id=job.pk)
    assert rows.count() == 2
    assert {row.reason for row in rows} == {"change_enrollment management command"}


def test_noop_wins_over_commit(course, learners):
    _run(
        "change_enrollment",
        "-c",
        course.key,
        "-f",
        "audit",
        "-t",
        "honor",
        "-u",
        learners[0].username,
        "--commit",
        "--noop",
    )
    assert _tracks(course) == ["audit"] * 4


def test_bulk_change_enrollment_moves_everyone_on_the_from_track(course, learners, operator):
    enrollment_create(actor=operator, learner=learners[0], course=course, track="honor")
    dry = _run("bulk_change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor")
    assert "3 learner(s) listed" in dry
    assert sorted(_tracks(course)) == ["audit", "audit", "audit", "honor"]
    out = _run("bulk_change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor", "--commit")
    assert "Successfully updated 3 out of 3 users" in out
    assert _tracks(course) == ["honor"] * 4


def test_bulk_change_enrollment_by_org(course, learners, operator):
    other = make_course(key="course-v1:CmdX+Other+2026")
    make_track(other, "audit")
    make_track(other, "honor")
    enrollment_create(actor=operator, learner=learners[0], course=other, track="audit")
    _run("bulk_change_enrollment", "-o", "CmdX", "-f", "audit", "-t", "honor", "--commit")
    assert _tracks(course) == ["honor"] * 4
    assert _tracks(other) == ["honor"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "course-v1:bad"], "not a valid course run key"),
        (["-c", "course-v1:CmdX+Missing+2026"], "No course run"),
        (["-c", "course-v1:CmdX+Tracks+2026", "-t", "verified"], "does not offer"),
    ],
)
def test_bad_arguments_are_command_errors(course, learners, args, message):
    base = {"-f": "audit", "-t": "honor"}
    options = dict(zip(args[::2], args[1::2], strict=True))
    merged = {**base, **options}
    argv = [item for pair in merged.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        _run("change_enrollment", *argv, "-u", learners[0].username, "--commit")


def test_unknown_org_is_a_command_error(operator):
    with pytest.raises(CommandError, match="has no course runs"):
        _run("bulk_change_enrollment", "-o", "NopeX", "-f", "audit", "-t", "honor")


def test_no_superuser_and_no_actor_is_a_command_error():
    course = make_course(key="course-v1:CmdX+Lonely+2026")
    with pytest.raises(CommandError, match="--actor"):
        _run("bulk_change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor")
