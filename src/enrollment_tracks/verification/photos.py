"""Checking and cleaning an uploaded photo, in memory only.

A photo is accepted only if Pillow decodes it completely as JPEG or PNG (never trusting its name
or content type), within ``VERIFICATION_PHOTO_MAX_BYTES`` and ``VERIFICATION_PHOTO_MAX_PIXELS``
(refused from the header, before decoding: decompression bombs never expand). It is then
re-encoded as a fresh JPEG, upright, without EXIF, GPS or any other metadata.
"""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from enrollment_tracks.core.errors import ValidationFailed

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG"})
MIN_SIDE = 64
JPEG_QUALITY = 90

FIELD_LABELS = {"face_photo": "face photo", "id_photo": "ID photo"}


def _refuse(field: str, code: str, message: str) -> ValidationFailed:
    label = FIELD_LABELS.get(field, field)
    return ValidationFailed(f"The {label}: {message}", code=code, field=field)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def photo_clean(data: bytes, *, field: str, declared_size: int | None = None) -> bytes:
    """The photo re-encoded as a metadata-free JPEG, or :class:`ValidationFailed` naming ``field``.

    ``declared_size`` is the upload's full size when the upload handler stopped keeping bytes
    past the limit.
    """
    size = declared_size if declared_size is not None else len(data)
    max_bytes = settings.VERIFICATION_PHOTO_MAX_BYTES
    if size == 0:
        raise _refuse(field, "photo_empty", "the file is empty.")
    if size > max_bytes:
        raise _refuse(
            field,
            "photo_too_large",
            f"the file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}.",
        )
    max_pixels = settings.VERIFICATION_PHOTO_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(field, "photo_too_many_pixels", _pixels_message(max_pixels)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse(field, "photo_not_image", "this is not a JPEG or PNG image.") from None
    with image:
        if image.format not in ACCEPTED_FORMATS:
            raise _refuse(field, "photo_not_image", "this is not a JPEG or PNG image.")
        width, height = image.size
        if width * height > max_pixels:
            raise _refuse(field, "photo_too_many_pixels", _pixels_message(max_pixels))
        if min(width, height) < MIN_SIDE:
            raise _refuse(
                field,
                "photo_too_small",
                f"the image is {width} x {height} pixels; each side must be at least {MIN_SIDE}.",
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                rgb = upright.convert("RGB")
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise _refuse(
                field, "photo_corrupt", "the image is damaged or incomplete; take it again."
            ) from None
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _pixels_message(max_pixels: int) -> str:
    return f"the image has more than {max_pixels / 1_000_000:g} megapixels; take a smaller one."
