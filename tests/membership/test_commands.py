"""change_enrollment and bulk_change_enrollment: dry run by default, the job engine on --commit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Transition
from enrollment_tracks.enrollments.services import enrollment_create, enrollment_unenroll
from enrollment_tracks.membership.models import JobItem, JobSource, JobStatus, MembershipJob
from enrollment_tracks.notifications.models import OutboxMessage
from tests.factories import UserFactory, make_course, make_course_team, make_track


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
    rows = Enrollment.objects.filter(course=course).order_by("user__username")
    return list(rows.values_list("track", flat=True))


def _nothing_stored() -> None:
    assert not MembershipJob.objects.exists()
    assert not JobItem.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_change_enrollment_is_a_dry_run_by_default(course, learners):
    audit_rows = EnrollmentAudit.objects.count()
    users = ",".join(person.username for person in learners[:2])
    out = _run("change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor", "-u", users)
    assert f"{course.key}: 2 learner(s) listed." in out
    assert "Will change track (audit→honor): 2" in out
    assert "Dry run: nothing changed. Add --commit to apply." in out
    assert _tracks(course) == ["audit"] * 4
    assert EnrollmentAudit.objects.count() == audit_rows
    _nothing_stored()


def test_change_enrollment_commit_applies_through_the_job_engine(course, learners, operator):
    out = _run(
        "change_enrollment",
        "-c",
        course.key,
        "-f",
        "audit",
        "-t",
        "honor",
        "-u",
        f"{learners[0].username},nobody-here",
        "-e",
        learners[1].email,
        "--commit",
    )
    assert "Changed track: 2" in out
    assert "Unknown user: 1" in out
    assert out.rstrip().endswith("Successfully updated 2 out of 3 users")
    job = MembershipJob.objects.get()
    assert (job.source, job.status, job.created_by) == (
        JobSource.COMMAND,
        JobStatus.SUCCEEDED,
        operator,
    )
    assert (job.action, job.from_track, job.to_track) == ("change_track", "audit", "honor")
    assert _tracks(course) == ["honor", "honor", "audit", "audit"]
    rows = EnrollmentAudit.objects.filter(batch_job_id=job.pk).order_by("learner__username")
    assert [(row.learner, row.track_before, row.track_after) for row in rows] == [
        (learners[0], "audit", "honor"),
        (learners[1], "audit", "honor"),
    ]
    assert {(row.reason, row.actor, row.transition) for row in rows} == {
        ("management command", operator, Transition.ENROLLED_TO_ENROLLED)
    }
    assert not OutboxMessage.objects.exists()  # operators' changes send no email


def test_reason_and_actor_are_recorded(course, learners):
    staff = make_course_team(course, username="course-staff")
    _run(
        "change_enrollment",
        *("-c", course.key, "-f", "audit", "-t", "honor", "-u", learners[0].username),
        *("--actor", staff.username, "--reason", "ticket 42", "--commit"),
    )
    row = EnrollmentAudit.objects.get(batch_job_id=MembershipJob.objects.get().pk)
    assert (row.actor, row.reason) == (staff, "ticket 42")


def test_only_learners_on_the_from_track_move(course, learners, operator):
    make_track(course, "unpaid-executive-education")
    enrollment_create(actor=operator, learner=learners[0], course=course, track="honor")
    out = _run(
        "change_enrollment",
        *("-c", course.key, "-f", "audit", "-t", "unpaid-executive-education"),
        *("--reason", "programme"),
        *("-u", f"{learners[0].username},{learners[1].username}", "--commit"),
    )
    assert "Not on the “from” track (left as they are): 1" in out
    assert "Successfully updated 1 out of 2 users" in out
    assert _tracks(course) == ["honor", "unpaid-executive-education", "audit", "audit"]


def test_noop_wins_over_commit(course, learners):
    _run(
        "change_enrollment",
        *("-c", course.key, "-f", "audit", "-t", "honor", "-u", learners[0].username),
        *("--commit", "--noop"),
    )
    assert _tracks(course) == ["audit"] * 4
    _nothing_stored()


def test_bulk_change_enrollment_moves_everyone_enrolled_on_the_from_track(
    course, learners, operator
):
    enrollment_create(actor=operator, learner=learners[0], course=course, track="honor")
    enrollment_unenroll(actor=operator, learner=learners[3], course=course)
    dry = _run("bulk_change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor")
    assert "2 learner(s) listed" in dry
    assert "Will change track (audit→honor): 2" in dry
    assert _tracks(course) == ["honor", "audit", "audit", "audit"]
    _nothing_stored()

    out = _run("bulk_change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor", "--commit")
    assert "Successfully updated 2 out of 2 users" in out
    assert _tracks(course) == ["honor", "honor", "honor", "audit"]  # the unenrolled one stays
    job = MembershipJob.objects.get()
    assert (job.source, job.status) == (JobSource.COMMAND, JobStatus.SUCCEEDED)
    assert EnrollmentAudit.objects.filter(batch_job_id=job.pk).count() == 2


def test_bulk_change_enrollment_by_org_skips_courses_without_the_track(course, learners, operator):
    other = make_course(key="course-v1:CmdX+Other+2026")
    make_track(other, "audit")
    make_track(other, "honor")
    enrollment_create(actor=operator, learner=learners[0], course=other, track="audit")
    audit_only = make_course(key="course-v1:CmdX+AuditOnly+2026")
    enrollment_create(actor=operator, learner=learners[1], course=audit_only)
    elsewhere = make_course(key="course-v1:OtherX+Tracks+2026")
    make_track(elsewhere, "audit")
    make_track(elsewhere, "honor")
    enrollment_create(actor=operator, learner=learners[2], course=elsewhere, track="audit")

    out = _run("bulk_change_enrollment", "-o", "CmdX", "-f", "audit", "-t", "honor", "--commit")
    assert f"{audit_only.key}: skipped: This course does not offer the Honor track." in out
    assert _tracks(course) == ["honor"] * 4
    assert _tracks(other) == ["honor"]
    assert _tracks(audit_only) == ["audit"]
    assert _tracks(elsewhere) == ["audit"]  # another organisation
    assert MembershipJob.objects.filter(status=JobStatus.SUCCEEDED).count() == 2


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        ("change_enrollment", ["-c", "course-v1:bad"], "not a valid course run key"),
        ("change_enrollment", ["-c", "course-v1:CmdX+Missing+2026"], "No course run"),
        ("change_enrollment", ["-t", "verified"], "does not offer the Verified track"),
        ("change_enrollment", ["-t", "platinum"], "platinum"),
        ("bulk_change_enrollment", ["-c", "course-v1:CmdX+Missing+2026"], "No course run"),
        ("bulk_change_enrollment", ["-t", "verified"], "does not offer the Verified track"),
    ],
)
def test_bad_arguments_are_command_errors(course, learners, command, args, message):
    options = {"-c": course.key, "-f": "audit", "-t": "honor"}
    options.update(zip(args[::2], args[1::2], strict=True))
    argv = [item for pair in options.items() for item in pair]
    if command == "change_enrollment":
        argv += ["-u", learners[0].username]
    with pytest.raises(CommandError, match=message):
        _run(command, *argv, "--commit")
    assert _tracks(course) == ["audit"] * 4


def test_change_enrollment_needs_learners(course):
    with pytest.raises(CommandError, match="-u/--username or -e/--email"):
        _run("change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor")


def test_unknown_org_is_a_command_error(operator):
    with pytest.raises(CommandError, match="has no course runs"):
        _run("bulk_change_enrollment", "-o", "NopeX", "-f", "audit", "-t", "honor")


def test_an_actor_outside_the_course_team_is_refused(course, learners):
    outsider = UserFactory(username="outsider")
    with pytest.raises(CommandError, match="course team"):
        _run(
            "bulk_change_enrollment",
            *("-c", course.key, "-f", "audit", "-t", "honor", "--actor", outsider.username),
        )


def test_no_superuser_and_no_actor_is_a_command_error():
    course = make_course(key="course-v1:CmdX+Lonely+2026")
    with pytest.raises(CommandError, match="--actor"):
        _run("bulk_change_enrollment", "-c", course.key, "-f", "audit", "-t", "honor")
