"""A real SMTP server (aiosmtpd) that goes down and comes back; the outbox waits and retries."""

from __future__ import annotations

import datetime as dt
import email
import socket

import pytest
from aiosmtpd.controller import Controller

from enrollment_tracks.core import clock
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.membership.parsing import parse_text
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.services import JobRequest, job_confirm, job_plan
from enrollment_tracks.notifications.models import OutboxMessage, OutboxStatus
from enrollment_tracks.notifications.services import outbox_send_due
from tests.factories import UserFactory, make_course, make_course_team, make_track

REFUSED = "refused@example.org"


class Inbox:
    """Collects delivered messages; refuses one recipient for ever (a permanent failure)."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings):
    port = _free_port()
    inbox = Inbox()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 30

    class Server:
        controller: Controller | None = None

        def start(self) -> None:
            self.controller = Controller(inbox, hostname="127.0.0.1", port=port)
            self.controller.start()

        def stop(self) -> None:
            if self.controller is not None:
                self.controller.stop()
                self.controller = None

    server = Server()
    server.inbox = inbox  # type: ignore[attr-defined]
    yield server
    server.stop()


def _change_track_job(notify: bool, learners: int = 4):
    course = make_course(title="Outage 101")
    staff = make_course_team(course)
    people = UserFactory.create_batch(learners)
    for person in people:
        enrollment_create(actor=staff, learner=person, course=course)
    make_track(course, "audit")
    make_track(course, "honor")
    job = job_plan(
        actor=staff,
        course=course,
        request=JobRequest(
            action="change_track",
            entries=parse_text(" ".join(p.username for p in people)),
            to_track="honor",
            notify=notify,
        ),
    )
    job_confirm(actor=staff, job=job)
    assert job_run(job.pk) == "succeeded"
    return course, people


def test_smtp_down_keeps_enrollments_and_emails_go_out_once_it_is_back(smtp):
    smtp.start()
    course, people = _change_track_job(notify=True)
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == len(people)
    smtp.stop()  # the server goes down before the worker sends

    report = outbox_send_due()
    assert (report.sent, report.retried, report.parked) == (0, len(people), 0)
    assert report.next_due is not None
    assert report.next_due > clock.now()  # the flush task comes back then
    assert set(Enrollment.objects.filter(course=course).values_list("track", flat=True)) == {
        "honor"
    }
    for row in OutboxMessage.objects.all():
        assert row.status == OutboxStatus.PENDING
        assert row.attempts == 1
        assert "Connection" in row.last_error or "refused" in row.last_error.lower()

    smtp.start()  # back, on the same port
    assert outbox_send_due().sent == 0, "nothing is due before the backoff has passed"
    assert smtp.inbox.messages == []
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=5)):
        assert outbox_send_due().sent == len(people)
        assert outbox_send_due().sent == 0  # nothing is sent twice
    delivered = sorted(message["To"] for message in smtp.inbox.messages)
    assert delivered == sorted(person.email for person in people)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == len(people)
    for message in smtp.inbox.messages:
        types = [part.get_content_type() for part in message.walk()]
        assert types == ["multipart/alternative", "text/plain", "text/html"]
        assert "Honor" in message["Subject"]
    assert {row.attempts for row in OutboxMessage.objects.all()} == {2}


def test_an_unreachable_server_costs_one_connection_per_round(smtp):
    """The first batch counts an attempt; the rest wait for the next round, untouched."""
    _change_track_job(notify=True, learners=5)
    report = outbox_send_due(batch=2)
    assert (report.sent, report.retried) == (0, 2)
    attempts = sorted(OutboxMessage.objects.values_list("attempts", flat=True))
    assert attempts == [0, 0, 0, 1, 1]
    assert report.next_due is not None
    assert report.next_due >= clock.now() + dt.timedelta(seconds=29)

    smtp.start()
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=1)):
        assert outbox_send_due(batch=2).sent == 5
    assert len(smtp.inbox.messages) == 5


def test_a_message_that_keeps_failing_is_parked_and_never_blocks_the_others(smtp):
    smtp.start()
    course, people = _change_track_job(notify=True, learners=3)
    refused = UserFactory(email=REFUSED)
    enrollment_create(actor=None, learner=refused, course=course, track="audit")
    staff = make_course_team(course, username="second-staff")
    job = job_plan(
        actor=staff,
        course=course,
        request=JobRequest(
            action="change_track",
            entries=parse_text(refused.username),
            to_track="honor",
            notify=True,
        ),
    )
    job_confirm(actor=staff, job=job)
    job_run(job.pk)
    moment = clock.now()
    for attempt in range(3):
        with clock.frozen_at(moment + dt.timedelta(hours=attempt + 1)):
            outbox_send_due()
    bad = OutboxMessage.objects.get(to_email=REFUSED)
    assert bad.status == OutboxStatus.PARKED
    assert bad.attempts == 3
    assert "550" in bad.last_error
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == len(people)
    assert len(smtp.inbox.messages) == len(people)


def test_with_notify_off_no_email_is_queued(smtp):
    smtp.start()
    _change_track_job(notify=False)
    assert OutboxMessage.objects.count() == 0
    assert outbox_send_due().sent == 0
    assert smtp.inbox.messages == []


def test_operators_requeue_a_parked_message_from_the_admin(client, smtp):
    from tests.factories import UserFactory as Users

    smtp.start()
    admin = Users(is_staff=True, is_superuser=True)
    parked = OutboxMessage.objects.create(
        key="manual:1",
        to_email="someone@example.org",
        message_type="enrolled_unenroll",
        context={"course_name": "X", "platform_name": "P"},
        status=OutboxStatus.PARKED,
        attempts=3,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
        last_error="550",
    )
    client.force_login(admin)
    response = client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "requeue", "_selected_action": [parked.pk]},
    )
    assert response.status_code == 302
    parked.refresh_from_db()
    assert (parked.status, parked.attempts) == (OutboxStatus.PENDING, 0)
    assert outbox_send_due().sent == 1
    assert [m["To"] for m in smtp.inbox.messages] == ["someone@example.org"]
