"""The demo keeps e-commerce off (verified in course B unavailable, with the reason); switched
on by an administrator, course B's verified is for sale, and loading the demo again changes
nothing, the switch included."""

from __future__ import annotations

import pytest

from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.demo.loader import COURSE_B, load_demo
from enrollment_tracks.ecommerce.selectors import tracks_for_sale

pytestmark = pytest.mark.django_db


def verified_of_course_b():
    course = CourseRun.objects.get(key=COURSE_B)
    return next(track for track in tracks_for_sale(course) if track.slug == "verified")


def test_demo_keeps_ecommerce_off_and_a_second_load_keeps_the_admins_switch():
    load_demo()
    assert site_configuration_get().ecommerce_enabled is False
    assert "e-commerce is not enabled" in verified_of_course_b().unavailable_reason

    site_configuration_update(ecommerce_enabled=True)  # the administrator, in the admin
    assert verified_of_course_b().is_available
    assert str(verified_of_course_b().price) == "$49.00"

    assert load_demo().created == []
    assert site_configuration_get().ecommerce_enabled is True
