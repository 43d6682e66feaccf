"""An upload handler that keeps photos in memory only (never a temporary file on disk).

Django writes uploads above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file; a photo must
never reach the disk in plaintext. This handler keeps at most ``VERIFICATION_PHOTO_MAX_BYTES``
per file in memory, counts the rest without keeping it, and reports the full size so the photo
check can refuse it by name. Views install it before the request body is read.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest


class MemoryOnlyUploadHandler(FileUploadHandler):
    """At most ``VERIFICATION_PHOTO_MAX_BYTES`` kept per file and twice that per request (two
    photos): a request with many files cannot fill the memory."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = int(settings.VERIFICATION_PHOTO_MAX_BYTES)
        self.request_budget = 2 * self.limit

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0
        self.complete = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received <= self.limit and len(raw_data) <= self.request_budget:
            self.buffer.write(raw_data)
            self.request_budget -= len(raw_data)
        else:
            self.complete = False

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        kept = self.buffer if self.complete else io.BytesIO()
        kept.seek(0)
        return InMemoryUploadedFile(
            file=kept,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def keep_uploads_in_memory(request: HttpRequest) -> None:
    """Call before anything reads ``request.POST`` or ``request.FILES``."""
    request.upload_handlers = [MemoryOnlyUploadHandler(request)]


def upload_bytes(upload: Any) -> tuple[bytes, int]:
    """(bytes kept, full size) of an uploaded file from :class:`MemoryOnlyUploadHandler`."""
    if upload is None:
        return b"", 0
    size = int(getattr(upload, "size", 0) or 0)
    upload.seek(0)
    return upload.read(), size
