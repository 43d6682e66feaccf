"""Simultaneous submissions by one learner, on real PostgreSQL connections: one attempt, and no
stored object left behind by the requests that lost."""

from __future__ import annotations

import pytest

from enrollment_tracks.core.errors import Conflict
from enrollment_tracks.verification.models import AttemptPhoto, VerificationAttempt
from tests.enrollments.test_concurrency import _run_together
from tests.factories import UserFactory
from tests.verification.conftest import submit

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("same_key", [True, False], ids=["double click", "two tabs"])
def test_simultaneous_submissions_make_one_attempt(photo_dir, manual_mode, same_key):
    learner = UserFactory()
    outcomes = _run_together(
        6, lambda index: submit(learner, key="same" if same_key else f"tab-{index}")
    )
    results = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]
    assert all(isinstance(error, Conflict) for error in errors), errors
    assert VerificationAttempt.objects.count() == 1
    attempt = VerificationAttempt.objects.get()
    assert {result.attempt_id for result in results} == {attempt.public_id}
    if same_key:
        assert errors == []  # every request answers the one attempt
    names = set(AttemptPhoto.objects.values_list("storage_name", flat=True))
    on_disk = {p.relative_to(photo_dir).as_posix() for p in photo_dir.rglob("*") if p.is_file()}
    assert on_disk == names
