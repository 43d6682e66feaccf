"""Envelope encryption of photos: AES-256-GCM under a fresh data key and nonce per photo, the data
key wrapped (AES key wrap, RFC 3394) by a key-encryption key (KEK) from settings.

``VERIFICATION_KEKS`` maps key ids to base64 keys of 32 bytes; ``VERIFICATION_KEK_ID`` names the
one that wraps new data keys. Every key of the ring still unwraps: rotating means adding a new
key, making it current, re-wrapping the stored data keys (`photo_keys_rewrap`) and then removing
the old one. The associated data binds a ciphertext to its attempt and photo kind, so a stored
object cannot be swapped for another one.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings

KEY_BYTES = 32
NONCE_BYTES = 12


class KeyConfigurationError(Exception):
    """The key-encryption keys in settings are missing or malformed."""


class DecryptionFailed(Exception):
    """The ciphertext, its associated data or its wrapped key was altered (or the KEK is gone)."""


@dataclass(frozen=True, slots=True)
class Sealed:
    kek_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


def key_ring() -> dict[str, bytes]:
    """The key-encryption keys by id, decoded and checked (read from settings at call time)."""
    ring: dict[str, bytes] = {}
    for kek_id, encoded in dict(settings.VERIFICATION_KEKS).items():
        try:
            key = base64.b64decode(str(encoded), validate=True)
        except (binascii.Error, ValueError):
            raise KeyConfigurationError(
                f"VERIFICATION_KEKS: key {kek_id!r} is not base64."
            ) from None
        if len(key) != KEY_BYTES:
            raise KeyConfigurationError(
                f"VERIFICATION_KEKS: key {kek_id!r} must be {KEY_BYTES} bytes, not {len(key)}."
            )
        ring[str(kek_id)] = key
    return ring


def current_kek_id() -> str:
    kek_id = str(settings.VERIFICATION_KEK_ID)
    if not kek_id or kek_id not in key_ring():
        raise KeyConfigurationError(
            "No current key-encryption key: set VERIFICATION_KEKS (and VERIFICATION_KEK_ID)."
        )
    return kek_id


def _kek(kek_id: str) -> bytes:
    try:
        return key_ring()[kek_id]
    except KeyError:
        raise DecryptionFailed(f"key-encryption key {kek_id!r} is not configured") from None


def seal(plaintext: bytes, *, associated_data: bytes) -> Sealed:
    """Encrypt under a fresh data key and nonce; the data key leaves only wrapped."""
    kek_id = current_kek_id()
    data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, associated_data)
    return Sealed(
        kek_id=kek_id,
        wrapped_key=aes_key_wrap(_kek(kek_id), data_key),
        nonce=nonce,
        ciphertext=ciphertext,
    )


def unseal(sealed: Sealed, *, associated_data: bytes) -> bytes:
    """The plaintext, or :class:`DecryptionFailed` if anything was altered."""
    try:
        data_key = aes_key_unwrap(_kek(sealed.kek_id), sealed.wrapped_key)
        return AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, associated_data)
    except (InvalidTag, InvalidUnwrap, ValueError) as error:
        raise DecryptionFailed(type(error).__name__) from None


def rewrap(kek_id: str, wrapped_key: bytes) -> tuple[str, bytes]:
    """The same data key wrapped by the current KEK (the ciphertext does not change)."""
    target = current_kek_id()
    if kek_id == target:
        return kek_id, wrapped_key
    try:
        data_key = aes_key_unwrap(_kek(kek_id), wrapped_key)
    except (InvalidUnwrap, ValueError) as error:
        raise DecryptionFailed(type(error).__name__) from None
    return target, aes_key_wrap(_kek(target), data_key)
