"""/api/enrollment/v1/enrollment_allowed/: Open edX's CEA endpoints over our invitations (4.5)."""

from __future__ import annotations

import pytest

from enrollment_tracks.enrollments.models import EnrollmentAudit, Invitation, Transition
from enrollment_tracks.enrollments.services import enrollment_create, invitation_create
from tests.api_enrollment.conftest import ALLOWED, KEY, anonymous_status, post_json
from tests.factories import UserFactory, make_course_team

EMAIL = "invited@example.org"
MISSING = "Please provide a value for 'email' and 'course_id' in the request data."


def test_create_answers_201_field_by_field_and_is_audited(staff_api, course, global_staff):
    response = post_json(
        staff_api, ALLOWED, {"email": EMAIL, "course_id": KEY, "auto_enroll": True}
    )

    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert response.json() == {
        "email": EMAIL,
        "course_id": KEY,
        "auto_enroll": True,
        "user": None,
        "created": invitation.created.isoformat().replace("+00:00", "Z"),
    }
    audit = EnrollmentAudit.objects.get()
    assert (audit.transition, audit.actor, audit.reason) == (
        Transition.UNENROLLED_TO_ALLOWEDTOENROLL,
        global_staff,
        "Enrollment API (operator)",
    )


def test_create_form_encoded_defaults_auto_enroll_to_false(staff_api, course):
    response = staff_api.post(ALLOWED, {"email": EMAIL, "course_id": KEY})

    assert (response.status_code, response.json()["auto_enroll"]) == (201, False)


@pytest.mark.parametrize("email", [EMAIL, EMAIL.upper()])
def test_a_duplicate_is_409_and_changes_nothing(staff_api, course, global_staff, email):
    invitation_create(actor=global_staff, course=course, email=EMAIL, auto_enroll=False)

    response = post_json(
        staff_api, ALLOWED, {"email": email, "course_id": KEY, "auto_enroll": True}
    )

    assert response.status_code == 409
    assert response.json() == {
        "message": f"An enrollment allowed with email {email} and course {KEY} already exists."
    }
    assert Invitation.objects.get().auto_enroll is False


@pytest.mark.parametrize(
    "body", [{}, {"email": EMAIL}, {"course_id": KEY}, {"email": "", "course_id": KEY}, []]
)
def test_missing_data_is_400(staff_api, course, body):
    for method in ("post", "delete"):
        response = post_json(staff_api, ALLOWED, body, method=method)

        assert response.status_code == 400, method
        assert response.json() == {"message": MISSING}


@pytest.mark.parametrize("key", ["course-v1:No+Such+Course", "not a key"])
def test_create_for_an_unknown_course_is_400(staff_api, key):
    response = post_json(staff_api, ALLOWED, {"email": EMAIL, "course_id": key})

    assert response.status_code == 400
    assert response.json() == {"message": f"No course found for course ID '{key}'"}


def test_create_with_an_invalid_email_or_auto_enroll_is_400(staff_api, course):
    bad_email = post_json(staff_api, ALLOWED, {"email": "not-an-email", "course_id": KEY})
    bad_flag = post_json(
        staff_api, ALLOWED, {"email": EMAIL, "course_id": KEY, "auto_enroll": "maybe"}
    )

    assert bad_email.status_code == bad_flag.status_code == 400
    assert bad_email.json() == {"message": "“not-an-email” is not a valid email address."}
    assert set(bad_flag.json()) == {"message"}
    assert not Invitation.objects.exists()


def test_list_of_an_email_and_by_default_the_requesters(
    staff_api, global_staff, course, other_course
):
    invitation_create(actor=global_staff, course=course, email=EMAIL, auto_enroll=True)
    invitation_create(actor=global_staff, course=other_course, email=EMAIL, auto_enroll=False)
    invitation_create(
        actor=global_staff, course=course, email=global_staff.email, auto_enroll=False
    )

    theirs = staff_api.get(ALLOWED, {"email": EMAIL})
    mine = staff_api.get(ALLOWED)

    assert theirs.status_code == 200
    assert [(row["course_id"], row["auto_enroll"]) for row in theirs.json()] == [
        (KEY, True),
        (other_course.key, False),
    ]
    assert [row["email"] for row in mine.json()] == [global_staff.email]
    assert set(theirs.json()[0]) == {"email", "course_id", "auto_enroll", "user", "created"}


def test_the_user_is_the_id_of_who_enrolled_with_it(staff_api, global_staff, course):
    person = UserFactory(email=EMAIL)
    invitation_create(actor=global_staff, course=course, email=EMAIL, auto_enroll=False)
    enrollment_create(actor=person, learner=person, course=course)

    assert staff_api.get(ALLOWED, {"email": EMAIL}).json()[0]["user"] == person.pk


def test_delete_answers_204_then_404(staff_api, global_staff, course):
    invitation_create(actor=global_staff, course=course, email=EMAIL, auto_enroll=True)

    deleted = post_json(staff_api, ALLOWED, {"email": EMAIL, "course_id": KEY}, method="delete")
    again = post_json(staff_api, ALLOWED, {"email": EMAIL, "course_id": KEY}, method="delete")

    assert (deleted.status_code, deleted.content) == (204, b"")
    assert not Invitation.objects.exists()
    assert again.status_code == 404
    assert again.json() == {
        "message": f"An enrollment allowed with email {EMAIL} and course {KEY} doesn't exists."
    }
    assert EnrollmentAudit.objects.filter(
        transition=Transition.ALLOWEDTOENROLL_TO_UNENROLLED
    ).exists()


def test_delete_in_an_unknown_course_is_404(staff_api):
    key = "course-v1:No+Such+Course"
    response = post_json(staff_api, ALLOWED, {"email": EMAIL, "course_id": key}, method="delete")

    assert response.status_code == 404


def test_only_operators(api, learner, course, global_staff):
    invitation_create(actor=global_staff, course=course, email=EMAIL, auto_enroll=True)
    team_member = make_course_team(course)
    body = {"email": EMAIL, "course_id": KEY}

    for user in (None, learner, team_member):
        client = api(user)
        expected = anonymous_status() if user is None else 403
        assert client.get(ALLOWED).status_code == expected
        assert post_json(client, ALLOWED, body).status_code == expected
        assert post_json(client, ALLOWED, body, method="delete").status_code == expected
    assert Invitation.objects.count() == 1
