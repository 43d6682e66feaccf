"""Expiry, retention deletion (with a crash in the middle), account retirement, key re-wrap."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from enrollment_tracks.core import clock
from enrollment_tracks.verification import housekeeping, storage
from enrollment_tracks.verification.housekeeping import attempts_expire, photos_delete_due
from enrollment_tracks.verification.models import (
    AttemptEvent,
    AttemptPhoto,
    AttemptStatus,
    EventKind,
    VerificationAttempt,
)
from enrollment_tracks.verification.selectors import user_is_verified
from enrollment_tracks.verification.services import attempt_decide, verification_retire_user
from enrollment_tracks.verification.tasks import (
    HOUSEKEEPING_PATH,
    housekeeping_schedule,
    verification_housekeeping,
    verification_photos_delete,
)
from tests.factories import UserFactory
from tests.verification.conftest import NOW, submit

DAY = dt.timedelta(days=1)


def files(photo_dir) -> set[str]:
    return {p.relative_to(photo_dir).as_posix() for p in photo_dir.rglob("*") if p.is_file()}


def test_approvals_expire_after_365_days_audited_and_only_once():
    learners = UserFactory.create_batch(3)
    for learner in learners:
        submit(learner)
    with clock.frozen_at(NOW + 364 * DAY):
        assert attempts_expire() == 0
    with clock.frozen_at(NOW + 365 * DAY):
        assert attempts_expire(chunk=2) == 3
        assert attempts_expire() == 0
    assert set(VerificationAttempt.objects.values_list("status", flat=True)) == {
        AttemptStatus.EXPIRED
    }
    events = AttemptEvent.objects.filter(to_status=AttemptStatus.EXPIRED)
    assert events.count() == 3
    assert set(events.values_list("from_status", flat=True)) == {AttemptStatus.APPROVED}
    assert not any(user_is_verified(u.pk, at=NOW + 365 * DAY) for u in learners)


def test_a_learner_may_verify_again_once_expired():
    learner = UserFactory()
    submit(learner)
    with clock.frozen_at(NOW + 400 * DAY):
        attempts_expire()
        again = submit(learner)
        assert again.created
        assert user_is_verified(learner.pk)


def test_photos_are_deleted_30_days_after_the_decision(photo_dir, manual_mode, reviewer):
    decided = submit(UserFactory())
    pending = submit(UserFactory())
    attempt_decide(public_id=decided.attempt_id, actor=reviewer, decision="deny", reason="Blurry")
    assert len(files(photo_dir)) == 4
    with clock.frozen_at(NOW + 29 * DAY):
        assert photos_delete_due() == 0
    with clock.frozen_at(NOW + 30 * DAY):
        assert photos_delete_due() == 2
        assert photos_delete_due() == 0
    kept = {
        p.storage_name for p in AttemptPhoto.objects.filter(attempt__public_id=pending.attempt_id)
    }
    assert files(photo_dir) == kept  # the pending attempt's photos stay until it is decided
    gone = AttemptPhoto.objects.filter(attempt__public_id=decided.attempt_id)
    assert all(p.deleted_at and bytes(p.wrapped_key) == b"" for p in gone)
    attempt = VerificationAttempt.objects.get(public_id=decided.attempt_id)
    assert attempt.photos_deleted_at is not None
    assert attempt.status == AttemptStatus.DENIED
    assert AttemptEvent.objects.filter(attempt=attempt, kind=EventKind.PHOTOS_DELETED).count() == 1


def test_retention_resumes_after_a_crash_and_deletes_everything_once(photo_dir, monkeypatch):
    learners = UserFactory.create_batch(5)
    for learner in learners:
        submit(learner)  # automatic: decided now, deletion due in 30 days
    real_delete = storage.object_delete
    calls = {"n": 0}

    def crash_after_three(name: str) -> None:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError("the worker was killed")
        real_delete(name)

    with clock.frozen_at(NOW + 31 * DAY):
        monkeypatch.setattr(housekeeping.storage, "object_delete", crash_after_three)
        with pytest.raises(OSError, match="the worker was killed"):
            photos_delete_due(chunk=4)
        assert len(files(photo_dir)) == 7  # three objects gone, none of the rows marked yet
        assert AttemptPhoto.objects.filter(deleted_at__isnull=False).count() == 0

        monkeypatch.setattr(housekeeping.storage, "object_delete", real_delete)
        assert photos_delete_due(chunk=4) == 10
        assert photos_delete_due(chunk=4) == 0
    assert files(photo_dir) == set()
    assert AttemptPhoto.objects.filter(deleted_at__isnull=True).count() == 0
    assert AttemptEvent.objects.filter(kind=EventKind.PHOTOS_DELETED).count() == 5


def test_account_retirement_deletes_photos_now_through_the_task(photo_dir, manual_mode):
    learner, other = UserFactory(), UserFactory()
    mine = submit(learner)
    submit(other)
    VerificationAttempt.objects.filter(public_id=mine.attempt_id).update(name="Jane As On ID")
    assert verification_retire_user(learner.pk) == 1
    assert verification_photos_delete.call() == 2
    attempt = VerificationAttempt.objects.get(public_id=mine.attempt_id)
    assert attempt.name == ""
    assert attempt.photos_deleted_at is not None
    assert len(files(photo_dir)) == 2  # the other learner's photos stay
    assert verification_retire_user(learner.pk) == 1  # again: harmless
    assert verification_photos_delete.call() == 0


def test_retirement_queues_the_deletion_task_after_commit(django_capture_on_commit_callbacks):
    learner = UserFactory()
    submit(learner)
    with django_capture_on_commit_callbacks(execute=True):
        verification_retire_user(learner.pk)
    assert (
        DBTaskResult.objects.filter(task_path__endswith="verification_photos_delete").count() == 1
    )


def test_the_retirement_command(photo_dir):
    learner = UserFactory(username="leaving")
    submit(learner)
    out = io.StringIO()
    call_command("retire_verification_user", "leaving", stdout=out)
    assert "1 attempt(s) retired, 2 photo(s) deleted" in out.getvalue()
    assert files(photo_dir) == set()


def test_the_housekeeping_task_runs_everything_and_queues_its_next_run_once():
    learner = UserFactory()
    submit(learner)
    with clock.frozen_at(NOW + 366 * DAY):
        report = verification_housekeeping.call()
    assert report == {"expired": 1, "reminded": 0, "photos_deleted": 2}
    assert DBTaskResult.objects.filter(task_path=HOUSEKEEPING_PATH, status="READY").count() == 1
    assert housekeeping_schedule() is False
    out = io.StringIO()
    call_command("verification_housekeeping", "--enqueue", stdout=out)
    assert "already queued" in out.getvalue()
    assert DBTaskResult.objects.filter(task_path=HOUSEKEEPING_PATH).count() == 1
