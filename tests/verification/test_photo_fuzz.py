"""Whatever bytes arrive, the photo check answers with a clean refusal or a clean JPEG."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.verification.photos import photo_clean
from tests.verification import images

SEEDS = [images.jpeg(), images.png(), images.truncated_jpeg(), images.PDF, images.SVG]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    cut=st.integers(min_value=0, max_value=4000),
    flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(1, 255)), max_size=8),
)
def test_mangled_photos_are_refused_or_cleaned(seed, cut, flips):
    data = bytearray(seed[: max(cut, 1)] if cut < len(seed) else seed)
    for position, mask in flips:
        if data:
            data[position % len(data)] ^= mask
    outcome: ValidationFailed | bytes
    try:
        outcome = photo_clean(bytes(data), field="face_photo")
    except ValidationFailed as error:
        outcome = error
    if isinstance(outcome, ValidationFailed):
        assert outcome.field == "face_photo"
        assert outcome.code.startswith("photo_")
    else:
        image = Image.open(io.BytesIO(outcome))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
