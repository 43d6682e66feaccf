from tests.factories import make_course, make_track


def test_course_with_honor_can_be_made():
    course = make_course()
    track = make_track(course, "honor")
    assert track.slug == "honor"
    assert track.currency == "usd"
