"""The real worker (`run_worker`, django-tasks-db) runs the verification tasks."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from enrollment_tracks.core import clock
from enrollment_tracks.verification.models import AttemptStatus, VerificationAttempt
from enrollment_tracks.verification.services import verification_retire_user
from enrollment_tracks.verification.tasks import HOUSEKEEPING_PATH
from tests.factories import UserFactory
from tests.verification.conftest import NOW, submit


def run_worker() -> None:
    call_command(
        "run_worker",
        "--batch",
        "--no-startup-delay",
        "--interval",
        "0",
        "-v",
        "0",
        stdout=StringIO(),
    )


@pytest.mark.django_db(transaction=True)  # db_worker closes a connection left in a transaction
def test_the_worker_deletes_a_retired_learners_photos(photo_dir):
    retiring, staying = UserFactory(), UserFactory()
    submit(retiring)
    submit(staying)
    verification_retire_user(retiring.pk)  # queues the deletion task after commit
    run_worker()
    assert len([p for p in photo_dir.rglob("*") if p.is_file()]) == 2
    assert VerificationAttempt.objects.get(user=retiring).photos_deleted_at is not None
    assert VerificationAttempt.objects.get(user=staying).photos_deleted_at is None


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_housekeeping_and_it_comes_back(photo_dir):
    submit(UserFactory())
    with clock.frozen_at(NOW + dt.timedelta(days=400)):
        out = StringIO()
        call_command("verification_housekeeping", "--enqueue", stdout=out)  # as `make run` does
        assert out.getvalue() == "Housekeeping queued.\n"
        run_worker()
    assert VerificationAttempt.objects.get().status == AttemptStatus.EXPIRED
    assert not [p for p in photo_dir.rglob("*") if p.is_file()]
    results = DBTaskResult.objects.filter(task_path=HOUSEKEEPING_PATH)
    assert sorted(results.values_list("status", flat=True)) == ["READY", "SUCCESSFUL"]
