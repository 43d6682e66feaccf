"""Enrollment attributes, and invitations made by the system or refused when they exist."""

from __future__ import annotations

import pytest

from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.enrollments.models import EnrollmentAudit, Invitation, Transition
from enrollment_tracks.enrollments.selectors import enrollment_attributes
from enrollment_tracks.enrollments.services import (
    enrollment_attributes_set,
    enrollment_create,
    invitation_create,
    invitation_delete,
)
from enrollment_tracks.enrollments.types import AttributeInput

ORDER = AttributeInput(namespace="order", name="order_number", value="EDX-1")


@pytest.fixture
def enrollment(course, learner):
    return enrollment_create(actor=learner, learner=learner, course=course).enrollment


def stored(enrollment) -> list[tuple[str, str, str]]:
    return [(a.namespace, a.name, a.value) for a in enrollment_attributes(enrollment)]


def test_attributes_replace_the_previous_ones(enrollment):
    placed = AttributeInput(namespace="order", name="date_placed", value="2026-01-10")
    enrollment_attributes_set(enrollment=enrollment, attributes=[ORDER, placed])

    enrollment_attributes_set(
        enrollment=enrollment,
        attributes=[AttributeInput(namespace="credit", name="provider_id", value="hogwarts")],
    )

    assert stored(enrollment) == [("credit", "provider_id", "hogwarts")]


def test_the_last_value_of_a_repeated_attribute_wins(enrollment):
    again = AttributeInput(namespace="order", name="order_number", value="EDX-2")

    enrollment_attributes_set(enrollment=enrollment, attributes=[ORDER, again])

    assert stored(enrollment) == [("order", "order_number", "EDX-2")]


def test_an_empty_list_removes_them_all(enrollment):
    enrollment_attributes_set(enrollment=enrollment, attributes=[ORDER])

    enrollment_attributes_set(enrollment=enrollment, attributes=[])

    assert stored(enrollment) == []


@pytest.mark.parametrize("part", ["namespace", "name", "value"])
def test_each_part_has_at_most_255_characters(enrollment, part):
    fields = {"namespace": "order", "name": "order_number", "value": "1", part: "x" * 256}

    with pytest.raises(ValidationFailed) as caught:
        enrollment_attributes_set(enrollment=enrollment, attributes=[AttributeInput(**fields)])

    assert caught.value.code == "invalid_attribute"
    assert stored(enrollment) == []


def test_the_system_invites_and_withdraws(course):
    invitation = invitation_create(
        actor=None, course=course, email="a@example.org", auto_enroll=True, reason="API"
    )
    invitation_delete(actor=None, invitation=invitation, reason="API")

    audit = list(EnrollmentAudit.objects.order_by("id"))
    assert [(row.transition, row.actor, row.role) for row in audit] == [
        (Transition.UNENROLLED_TO_ALLOWEDTOENROLL, None, "system"),
        (Transition.ALLOWEDTOENROLL_TO_UNENROLLED, None, "system"),
    ]


def test_an_exclusive_invitation_of_an_invited_email_is_a_conflict(course, staff):
    invitation_create(actor=staff, course=course, email="a@example.org", auto_enroll=False)

    with pytest.raises(Conflict) as caught:
        invitation_create(
            actor=staff, course=course, email="A@example.org", auto_enroll=True, exclusive=True
        )

    assert caught.value.code == "invitation_exists"
    assert Invitation.objects.get().auto_enroll is False
