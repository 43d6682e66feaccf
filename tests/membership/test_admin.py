"""The operators' admin for jobs (read only) and the outbox (requeue parked messages)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment_tracks.core import clock
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.membership.models import MembershipJob
from enrollment_tracks.membership.parsing import Entry
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.services import JobRequest, job_confirm, job_plan
from enrollment_tracks.notifications.models import OutboxMessage, OutboxStatus
from tests.factories import UserFactory, make_course, make_course_team, make_track


@pytest.fixture
def admin_client(client, global_staff):
    client.force_login(global_staff)
    return client


@pytest.fixture
def finished_job() -> MembershipJob:
    course = make_course(title="Admin course")
    make_track(course, "audit")
    make_track(course, "honor")
    staff = make_course_team(course)
    people = UserFactory.create_batch(3)
    for person in people:
        enrollment_create(actor=staff, learner=person, course=course, track="audit")
    entries = [Entry(person.username) for person in people] + [Entry("nobody-here")]
    job = job_plan(
        actor=staff,
        course=course,
        request=JobRequest(action="change_track", entries=entries, to_track="honor", notify=True),
    )
    job_confirm(actor=staff, job=job)
    job_run(job.pk)
    return job


def test_the_job_list_shows_items_and_results(admin_client, finished_job):
    planned = job_plan(
        actor=finished_job.created_by,
        course=finished_job.course,
        request=JobRequest(action="unenroll", entries=[Entry("x"), Entry("y")]),
    )
    response = admin_client.get(reverse("admin:membership_membershipjob_changelist"))
    assert response.status_code == 200
    rows = {job.pk: job for job in response.context["cl"].result_list}
    assert (rows[finished_job.pk].items_n, rows[finished_job.pk].results_n) == (4, 4)
    assert (rows[planned.pk].items_n, rows[planned.pk].results_n) == (2, 0)
    response = admin_client.get(
        reverse("admin:membership_membershipjob_changelist"), {"o": "-8"}
    )  # sortable by the result count
    assert response.status_code == 200


def test_a_job_is_read_only_with_its_history(admin_client, finished_job):
    url = reverse("admin:membership_membershipjob_change", args=[finished_job.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page  # the view-only page
    assert ">queued<" in page  # the transitions inline
    assert ">succeeded<" in page
    assert admin_client.post(url, {"status": "failed"}).status_code == 403
    finished_job.refresh_from_db()
    assert finished_job.status == "succeeded"
    add = admin_client.get(reverse("admin:membership_membershipjob_add"))
    assert add.status_code == 403
    delete = reverse("admin:membership_membershipjob_delete", args=[finished_job.pk])
    assert admin_client.get(delete).status_code == 403


def test_the_outbox_filters_by_status_and_requeues_parked_messages(admin_client, finished_job):
    parked, sent, _pending = OutboxMessage.objects.order_by("pk")
    OutboxMessage.objects.filter(pk=parked.pk).update(
        status=OutboxStatus.PARKED, attempts=8, last_error="550 mailbox unavailable"
    )
    OutboxMessage.objects.filter(pk=sent.pk).update(status=OutboxStatus.SENT, sent_at=clock.now())
    url = reverse("admin:notifications_outboxmessage_changelist")

    response = admin_client.get(url, {"status__exact": "parked"})
    assert [row.pk for row in response.context["cl"].result_list] == [parked.pk]
    assert "550 mailbox unavailable" in response.content.decode()

    response = admin_client.post(
        url, {"action": "requeue", "_selected_action": [parked.pk, sent.pk]}, follow=True
    )
    assert "1 message(s) requeued (1 not parked, left as they are)." in response.content.decode()
    parked.refresh_from_db()
    assert (parked.status, parked.attempts) == (OutboxStatus.PENDING, 0)
    assert OutboxMessage.objects.get(pk=sent.pk).status == OutboxStatus.SENT


def test_outbox_messages_cannot_be_added_or_deleted(admin_client, finished_job):
    message = OutboxMessage.objects.first()
    assert admin_client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    delete = reverse("admin:notifications_outboxmessage_delete", args=[message.pk])
    assert admin_client.get(delete).status_code == 403
