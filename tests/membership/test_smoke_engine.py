from django.core import mail

from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.membership.models import JobResult, JobStatus
from enrollment_tracks.membership.parsing import parse_text
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.services import JobRequest, job_confirm, job_plan
from enrollment_tracks.notifications.models import OutboxMessage
from enrollment_tracks.notifications.services import outbox_send_due
from tests.factories import UserFactory, make_course, make_course_team, make_track


def test_change_track_job_end_to_end(settings):
    settings.MEMBERSHIP_CHUNK_SIZE = 3
    course = make_course()
    staff = make_course_team(course)
    learners = UserFactory.create_batch(7)
    from enrollment_tracks.enrollments.services import enrollment_create

    for learner in learners:
        enrollment_create(actor=staff, learner=learner, course=course)
    make_track(course, "audit")
    make_track(course, "honor")
    text = " ".join(u.username for u in learners) + " nobody bad!id " + learners[0].email.upper()
    job = job_plan(
        actor=staff,
        course=course,
        request=JobRequest(
            action="change_track",
            entries=parse_text(text),
            to_track="honor",
            notify=True,
            reason="Moving to honor",
        ),
    )
    assert job.status == JobStatus.PLANNED
    assert job.plan_counts["will_change"] == 7
    assert job.plan_counts["unknown_user"] == 1
    assert job.plan_counts["invalid_identifier"] == 1
    assert job.plan_counts["duplicate"] == 1
    job_confirm(actor=staff, job=job)
    assert job_run(job.pk) == JobStatus.SUCCEEDED
    assert set(Enrollment.objects.filter(course=course).values_list("track", flat=True)) == {
        "honor"
    }
    assert EnrollmentAudit.objects.filter(batch_job_id=job.pk).count() == 7
    assert JobResult.objects.filter(job=job, outcome="changed").count() == 7
    assert OutboxMessage.objects.count() == 7
    report = outbox_send_due()
    assert report.sent == 7
    assert len(mail.outbox) == 7
    assert "honor" in mail.outbox[0].subject.lower()
