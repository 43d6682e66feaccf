"""Photos in and out of the store: encrypt and write, read and decrypt.

Combines :mod:`crypto` (envelope encryption) and :mod:`storage` (ciphertext objects) for the
services; nothing else writes or reads a photo.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from enrollment_tracks.verification import crypto, storage
from enrollment_tracks.verification.models import AttemptPhoto, PhotoKind


def associated_data(public_id: uuid.UUID, kind: str) -> bytes:
    """Binds a ciphertext to its attempt and photo kind."""
    return f"verification:{public_id}:{kind}".encode()


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    kind: PhotoKind
    storage_name: str
    sealed: crypto.Sealed
    size: int


def photos_seal_and_store(
    public_id: uuid.UUID, cleaned: dict[PhotoKind, bytes]
) -> list[StoredPhoto]:
    """Encrypt and store each photo; on any failure, remove what was already written."""
    stored: list[StoredPhoto] = []
    try:
        for kind, jpeg in cleaned.items():
            sealed = crypto.seal(jpeg, associated_data=associated_data(public_id, kind))
            name = storage.object_write(sealed.ciphertext)
            stored.append(StoredPhoto(kind, name, sealed, len(sealed.ciphertext)))
    except Exception:
        photos_discard(stored)
        raise
    return stored


def photos_discard(stored: list[StoredPhoto]) -> None:
    for item in stored:
        storage.object_delete(item.storage_name)


def photo_open(photo: AttemptPhoto, public_id: uuid.UUID) -> bytes:
    """The plaintext, or :class:`crypto.DecryptionFailed` / ``OSError`` (object missing)."""
    ciphertext = storage.object_read(photo.storage_name)
    return crypto.unseal(
        crypto.Sealed(photo.kek_id, bytes(photo.wrapped_key), bytes(photo.nonce), ciphertext),
        associated_data=associated_data(public_id, photo.kind),
    )
