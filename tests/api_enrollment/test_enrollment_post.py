"""POST /api/enrollment/v1/enrollment: every answer of Open edX's view (reference 4.4)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.enrollments.models import (
    Enrollment,
    EnrollmentAttribute,
    EnrollmentAudit,
    Transition,
)
from enrollment_tracks.enrollments.services import enrollment_create, enrollment_unenroll
from tests.api_enrollment.conftest import KEY, UPGRADE_DEADLINE, course_url, enroll
from tests.factories import UserFactory, make_course, make_track

PAID_MESSAGE = "User does not have permission to create enrollment with mode [{}]."
PAST = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def audit_mode(**changes) -> dict:
    return {
        "slug": "audit",
        "name": "Audit",
        "min_price": 0,
        "suggested_prices": "",
        "currency": "usd",
        "expiration_datetime": None,
        "description": None,
        "sku": None,
        "bulk_sku": None,
        **changes,
    }


@pytest.fixture
def audit_and_verified(course, paid_site):
    make_track(course, "audit")
    make_track(course, "verified", price=49, upgrade_deadline=UPGRADE_DEADLINE, sku="SKU-V")
    return course


@pytest.fixture
def audit_and_honor(course):
    make_track(course, "audit")
    make_track(course, "honor")
    return course


def only_enrollment(learner, course) -> Enrollment:
    return Enrollment.objects.get(user=learner, course=course)


# --------------------------------------------------------------------------- creation


def test_learner_enrolls_and_gets_the_enrollment_field_by_field(learner_api, learner, course):
    response = enroll(learner_api)

    assert response.status_code == 200
    row = only_enrollment(learner, course)
    assert response.json() == {
        "created": row.created.isoformat().replace("+00:00", "Z"),
        "mode": "audit",
        "is_active": True,
        "user": learner.username,
        "course_details": {
            "course_id": KEY,
            "course_name": "Demonstration Course",
            "enrollment_start": None,
            "enrollment_end": None,
            "course_start": "2027-01-10T00:00:00Z",
            "course_end": "2027-12-31T00:00:00Z",
            "invite_only": False,
            "pacing_type": "Instructor Paced",
            "course_modes": [audit_mode()],
        },
    }
    assert response.json()["created"].endswith("Z")


def test_post_is_idempotent(learner_api, learner, course):
    first = enroll(learner_api)
    second = enroll(learner_api)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert Enrollment.objects.count() == 1
    assert EnrollmentAudit.objects.filter(transition=Transition.UNENROLLED_TO_ENROLLED).count() == 1


def test_learner_may_choose_honor(learner_api, learner, audit_and_honor):
    response = enroll(learner_api, mode="honor")

    assert response.status_code == 200
    assert response.json()["mode"] == "honor"
    assert [m["slug"] for m in response.json()["course_details"]["course_modes"]] == [
        "audit",
        "honor",
    ]


def test_an_active_enrollment_is_answered_unchanged_whatever_the_mode(
    learner_api, learner, audit_and_honor
):
    enroll(learner_api, mode="audit")

    response = enroll(learner_api, mode="honor")

    assert response.status_code == 200
    assert response.json()["mode"] == "audit"
    assert only_enrollment(learner, audit_and_honor).track == "audit"


@pytest.mark.parametrize(
    "mode", ["verified", "professional", "no-id-professional", "credit", "masters", "bogus", 7]
)
def test_learner_asking_for_another_mode_gets_403(learner_api, audit_and_verified, mode):
    response = enroll(learner_api, mode=mode)

    assert response.status_code == 403
    assert response.json() == {"message": PAID_MESSAGE.format(mode)}
    assert not Enrollment.objects.exists()


def test_the_mode_check_comes_before_the_course_and_user_checks(learner_api):
    response = enroll(learner_api, "course-v1:No+Such+Course", mode="verified")

    assert response.status_code == 403
    assert response.json() == {"message": PAID_MESSAGE.format("verified")}


def test_a_priced_honor_track_is_refused_to_learners(learner_api, course, paid_site):
    """Open edX would enroll them for free (it never checks payment); we refuse, as for verified."""
    make_track(course, "honor", price=25)

    response = enroll(learner_api, mode="honor")

    assert response.status_code == 403
    assert response.json() == {"message": PAID_MESSAGE.format("honor")}


def test_the_price_field_is_ignored(learner_api, learner, course):
    response = enroll(learner_api, mode="audit", price=0, min_price=100, currency="eur")

    assert response.status_code == 200
    assert response.json()["mode"] == "audit"


# ------------------------------------------------------------------------ another user


def test_learner_naming_another_user_gets_404_with_an_empty_body(
    learner_api, other_learner, course
):
    response = enroll(learner_api, user=other_learner.username)

    assert response.status_code == 404
    assert response.content == b""
    assert not Enrollment.objects.exists()


def test_learner_naming_an_unknown_user_also_gets_404(learner_api, course):
    response = enroll(learner_api, user="nobody-at-all")

    assert (response.status_code, response.content) == (404, b"")


def test_learner_naming_themselves_is_fine(learner_api, learner, course):
    response = enroll(learner_api, user=learner.username)

    assert response.status_code == 200
    assert response.json()["user"] == learner.username


def test_learner_using_email_gets_404(learner_api, learner, course):
    response = enroll(learner_api, email=learner.email)

    assert (response.status_code, response.content) == (404, b"")


def test_staff_enrolls_another_user_by_username_or_email(staff_api, learner, other_learner, course):
    by_name = enroll(staff_api, user=learner.username)
    by_email = enroll(staff_api, email=other_learner.email)

    assert (by_name.status_code, by_name.json()["user"]) == (200, learner.username)
    assert (by_email.status_code, by_email.json()["user"]) == (200, other_learner.username)


def test_unknown_user_is_406(staff_api, course):
    response = enroll(staff_api, user="nobody")

    assert response.status_code == 406
    assert response.json() == {"message": "The user nobody does not exist."}


def test_unknown_email_is_406(staff_api, course):
    response = enroll(staff_api, email="nobody@example.org")

    assert response.status_code == 406
    assert response.json() == {
        "message": "The user with the email address nobody@example.org does not exist."
    }


# ------------------------------------------------------------------------ bad course


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"course_details": {}},
        {"course_details": {"course_id": ""}},
        {"course_details": "course-v1:edX+DemoX+Demo_Course"},
        {"course_id": KEY},
    ],
)
def test_missing_course_id_is_400(learner_api, body):
    from tests.api_enrollment.conftest import ENROLLMENT, post_json

    response = post_json(learner_api, ENROLLMENT, body)

    assert response.status_code == 400
    assert response.json() == {"message": "Course ID must be specified to create a new enrollment."}


@pytest.mark.parametrize("raw", ["not a course", "course-v1:onlyorg", "junk:a+b+c", 42])
def test_malformed_course_id_is_400(learner_api, raw):
    response = enroll(learner_api, raw)

    assert response.status_code == 400
    assert response.json() == {"message": f"No course '{raw}' found for enrollment"}


def test_unknown_course_is_400(learner_api):
    response = enroll(learner_api, "course-v1:No+Such+Course")

    assert response.status_code == 400
    assert response.json() == {
        "message": "No course 'course-v1:No+Such+Course' found for enrollment"
    }


# ------------------------------------------------------------------------ bad fields


@pytest.mark.parametrize(
    ("value", "shown"), [("yes", "yes"), ("true", "true"), (1, "1"), ([True], "[True]")]
)
def test_is_active_must_be_a_json_boolean(learner_api, course, value, shown):
    response = enroll(learner_api, is_active=value)

    assert response.status_code == 400
    assert response.json() == {"message": f"'{shown}' is an invalid enrollment activation status."}
    assert not Enrollment.objects.exists()


def test_force_enrollment_must_be_a_json_boolean(staff_api, learner, course):
    response = enroll(staff_api, user=learner.username, force_enrollment="yes")

    assert response.status_code == 400
    assert response.json() == {"message": "'yes' is an invalid force enrollment status."}


def test_a_cohort_is_refused_before_any_change(learner_api, course):
    response = enroll(learner_api, cohort="Group A")

    assert response.status_code == 400
    assert response.json() == {"message": "An error occured while adding to cohort [Group A]"}
    assert not Enrollment.objects.exists()


# ------------------------------------------------------------------- unavailable modes


def test_a_mode_the_course_does_not_offer_is_400_with_the_course_details(learner_api, course):
    response = enroll(learner_api, mode="honor")

    assert response.status_code == 400
    assert response.json() == {
        "message": f"The [honor] course mode is expired or otherwise unavailable for course run "
        f"[{KEY}].",
        "course_details": learner_api.get(course_url(KEY)).json(),
    }


def test_a_course_without_a_free_default_is_400_naming_mode_none(learner_api, course, paid_site):
    make_track(course, "verified", price=49)

    response = enroll(learner_api)

    assert response.status_code == 400
    body = response.json()
    assert body["message"] == (
        f"The [None] course mode is expired or otherwise unavailable for course run [{KEY}]."
    )
    assert [mode["slug"] for mode in body["course_details"]["course_modes"]] == ["verified"]


def test_an_expired_mode_is_unavailable_unless_staff_forces(staff_api, learner, course, paid_site):
    make_track(course, "audit")
    make_track(course, "verified", price=49, upgrade_deadline=PAST)

    refused = enroll(staff_api, user=learner.username, mode="verified")
    forced = enroll(staff_api, user=learner.username, mode="verified", force_enrollment=True)

    assert refused.status_code == 400
    assert refused.json()["course_details"]["course_modes"] == [audit_mode()]
    assert (forced.status_code, forced.json()["mode"]) == (200, "verified")


# ----------------------------------------------------------------- the learner's rules


def test_closed_enrollment_is_the_generic_400_for_learners_but_not_for_staff(
    learner_api, staff_api, learner
):
    make_course(key="course-v1:edX+Closed+2020", title="Closed", enrollment_end=PAST)

    refused = enroll(learner_api, "course-v1:edX+Closed+2020")
    by_staff = enroll(staff_api, "course-v1:edX+Closed+2020", user=learner.username)

    assert refused.status_code == 400
    assert refused.json() == {
        "message": "An error occurred while creating the new course enrollment for user "
        f"'{learner.username}' in course 'course-v1:edX+Closed+2020'"
    }
    assert (by_staff.status_code, by_staff.json()["is_active"]) == (200, True)


def test_invitation_only_and_full_courses_are_the_generic_400(learner_api, learner):
    make_course(key="course-v1:edX+Invite+2027", title="Invite", invitation_only=True)
    make_course(key="course-v1:edX+Full+2027", title="Full", max_enrollments=0)

    for key in ("course-v1:edX+Invite+2027", "course-v1:edX+Full+2027"):
        response = enroll(learner_api, key)
        assert response.status_code == 400
        assert response.json()["message"].startswith(
            "An error occurred while creating the new course enrollment for user"
        )
    assert not Enrollment.objects.exists()


def test_learner_reactivation_lands_on_the_default_mode(learner_api, learner, audit_and_honor):
    enrollment_create(actor=learner, learner=learner, course=audit_and_honor, track="honor")
    enrollment_unenroll(actor=learner, learner=learner, course=audit_and_honor)

    response = enroll(learner_api)

    assert (response.status_code, response.json()["mode"], response.json()["is_active"]) == (
        200,
        "audit",
        True,
    )


def test_learner_cannot_deactivate(learner_api, learner, course):
    enroll(learner_api)

    response = enroll(learner_api, is_active=False)

    assert (response.status_code, response.json()["is_active"]) == (200, True)
    assert only_enrollment(learner, course).is_active


def test_learner_attributes_are_ignored(learner_api, learner, course):
    attributes = [{"namespace": "order", "name": "order_number", "value": "FAKE-1"}]

    response = enroll(learner_api, enrollment_attributes=attributes)

    assert response.status_code == 200
    assert not EnrollmentAttribute.objects.exists()


# -------------------------------------------------------------- privileged callers


def test_staff_upgrades_and_the_audit_trail_names_the_caller_and_order(
    staff_api, learner, audit_and_verified, global_staff
):
    enrollment_create(actor=learner, learner=learner, course=audit_and_verified)
    attributes = [
        {"namespace": "order", "name": "order_number", "value": "EDX-1234"},
        {"namespace": "order", "name": "date_placed", "value": "2026-01-10T09:30:00Z"},
    ]

    response = enroll(
        staff_api, user=learner.username, mode="verified", enrollment_attributes=attributes
    )

    assert (response.status_code, response.json()["mode"]) == (200, "verified")
    row = only_enrollment(learner, audit_and_verified)
    audit = EnrollmentAudit.objects.filter(enrollment=row).first()
    assert (audit.track_before, audit.track_after, audit.actor) == (
        "audit",
        "verified",
        global_staff,
    )
    assert audit.reason == "Enrollment API (operator): order EDX-1234"
    stored = {
        (a.namespace, a.name): a.value for a in EnrollmentAttribute.objects.filter(enrollment=row)
    }
    assert stored == {
        ("order", "order_number"): "EDX-1234",
        ("order", "date_placed"): "2026-01-10T09:30:00Z",
    }


def test_staff_creates_on_a_paid_track_with_a_reason(staff_api, learner, audit_and_verified):
    response = enroll(staff_api, user=learner.username, mode="verified", reason="Scholarship")

    assert (response.status_code, response.json()["mode"]) == (200, "verified")
    audit = EnrollmentAudit.objects.get(transition=Transition.UNENROLLED_TO_ENROLLED)
    assert audit.reason == "Enrollment API (operator): Scholarship"


def test_staff_downgrades(staff_api, learner, audit_and_verified):
    enroll(staff_api, user=learner.username, mode="verified")

    response = enroll(staff_api, user=learner.username, mode="audit")

    assert (response.status_code, response.json()["mode"]) == (200, "audit")


def test_staff_deactivates_idempotently(staff_api, learner, audit_and_verified):
    enroll(staff_api, user=learner.username, mode="verified")

    first = enroll(staff_api, user=learner.username, mode="verified", is_active=False)
    audits = EnrollmentAudit.objects.count()
    second = enroll(staff_api, user=learner.username, mode="verified", is_active=False)

    assert (first.status_code, first.json()["is_active"], first.json()["mode"]) == (
        200,
        False,
        "verified",
    )
    assert second.json() == first.json()
    assert EnrollmentAudit.objects.count() == audits


def test_deactivating_with_another_mode_is_a_mode_mismatch(staff_api, learner, audit_and_verified):
    enroll(staff_api, user=learner.username, mode="audit")

    response = enroll(staff_api, user=learner.username, mode="verified", is_active=False)

    assert response.status_code == 400
    assert response.json() == {
        "message": "Enrollment mode mismatch: active mode=audit, requested mode=verified. "
        "Won't deactivate."
    }
    row = only_enrollment(learner, audit_and_verified)
    assert (row.track, row.is_active) == ("audit", True)


def test_staff_reactivation_keeps_the_mode(staff_api, learner, audit_and_verified):
    enroll(staff_api, user=learner.username, mode="verified")
    enroll(staff_api, user=learner.username, is_active=False)

    response = enroll(staff_api, user=learner.username, is_active=True)

    assert (response.json()["mode"], response.json()["is_active"]) == ("verified", True)


def test_attributes_are_replaced_on_each_privileged_change(staff_api, learner, audit_and_verified):
    first = [{"namespace": "order", "name": "order_number", "value": "A-1"}]
    second = [{"namespace": "order", "name": "order_number", "value": "B-2"}]
    enroll(staff_api, user=learner.username, mode="verified", enrollment_attributes=first)

    enroll(staff_api, user=learner.username, mode="audit", enrollment_attributes=second)

    assert list(EnrollmentAttribute.objects.values_list("value", flat=True)) == ["B-2"]


@pytest.mark.parametrize(
    ("attribute", "missing"),
    [
        ({"name": "order_number", "value": "1"}, "namespace"),
        ({"namespace": "order", "value": "1"}, "name"),
        ({"namespace": "order", "name": "order_number"}, "value"),
        ("order:order_number", "namespace"),
    ],
)
def test_an_incomplete_attribute_is_400_and_changes_nothing(
    staff_api, learner, course, attribute, missing
):
    response = enroll(staff_api, user=learner.username, enrollment_attributes=[attribute])

    message = f"'{missing}' not in enrollment attribute"
    assert response.status_code == 400
    assert response.json() == {"message": message, "localizedMessage": message}
    assert not Enrollment.objects.exists()


def test_credit_needs_the_provider_attribute_when_attributes_are_sent(
    staff_api, learner, course, paid_site
):
    make_track(course, "audit")
    make_track(course, "credit")
    enroll(staff_api, user=learner.username)
    other = [{"namespace": "order", "name": "order_number", "value": "1"}]
    provider = [{"namespace": "credit", "name": "provider_id", "value": "hogwarts"}]

    missing = enroll(staff_api, user=learner.username, mode="credit", enrollment_attributes=other)
    given = enroll(staff_api, user=learner.username, mode="credit", enrollment_attributes=provider)

    assert missing.status_code == 400
    assert missing.json() == {
        "message": "Missing enrollment attributes: requested mode=credit "
        "required attributes=['credit:provider_id']"
    }
    assert (given.status_code, given.json()["mode"]) == (200, "credit")


def test_staff_enrolling_someone_else_changes_nothing_for_the_staff_user(
    staff_api, global_staff, course
):
    learner = UserFactory()

    enroll(staff_api, user=learner.username)

    assert not Enrollment.objects.filter(user=global_staff).exists()
    assert Enrollment.objects.get().user == learner
