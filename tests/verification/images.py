"""Test images and look-alikes, built in memory."""

from __future__ import annotations

import io

from PIL import Image


def jpeg(width: int = 320, height: int = 240, *, color=(180, 90, 40), exif: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 7):  # some detail, so that two photos never encode the same
        image.putpixel((x, (x * 3) % height), (x % 255, 20, 200))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCameraMaker"  # Make
        tags[0x013B] = "Jane Learner"  # Artist
        image.save(out, format="JPEG", exif=tags.tobytes())
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def png(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 30, 128)).save(out, format="PNG")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    data = jpeg(640, 480)
    return data[: len(data) // 2]


def hundred_megapixels_png() -> bytes:
    """A small file (a one-bit image compresses to almost nothing) that would decode to 10⁸ px."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
HTML = b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">'
    b'<rect width="400" height="400" fill="red"/><script>alert(1)</script></svg>'
)


def is_image(data: bytes) -> bool:
    """JPEG or PNG magic bytes, or anything Pillow can open."""
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return True
    try:
        Image.open(io.BytesIO(data))
    except Exception:
        return False
    return True
