"""Where the ciphertexts live: the ``verification`` storage (any Django storage; S3 through
django-storages in production), under random names that say nothing about the learner.

Only ciphertext ever reaches the storage; nothing here returns a URL.
"""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

STORAGE_ALIAS = "verification"


def photo_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def object_write(ciphertext: bytes) -> str:
    """Store ``ciphertext`` under a fresh random name and return the name."""
    name = f"{secrets.token_hex(2)}/{secrets.token_hex(16)}.bin"
    return photo_storage().save(name, ContentFile(ciphertext))


def object_read(name: str) -> bytes:
    with photo_storage().open(name, "rb") as handle:
        return bytes(handle.read())


def object_delete(name: str) -> None:
    """Delete the object; one already gone is fine (deletion is retried after a crash)."""
    photo_storage().delete(name)
