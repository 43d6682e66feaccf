from __future__ import annotations

import base64

from enrollment_tracks.verification.checks import (
    development_key_in_use,
    key_encryption_keys,
    review_mode_default,
)


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_no_key_encryption_key_stops_the_server(settings):
    settings.VERIFICATION_KEKS = {}
    settings.VERIFICATION_KEK_ID = ""
    assert ids(key_encryption_keys(None)) == ["verification.E001"]


def test_a_malformed_key_is_refused(settings):
    settings.VERIFICATION_KEKS = {"k1": base64.b64encode(b"short").decode()}
    settings.VERIFICATION_KEK_ID = "k1"
    assert ids(key_encryption_keys(None)) == ["verification.E001"]
    settings.VERIFICATION_KEKS = {"k1": "not base64!"}
    assert ids(key_encryption_keys(None)) == ["verification.E001"]


def test_a_current_id_missing_from_the_ring_is_refused(settings):
    settings.VERIFICATION_KEKS = {"k1": base64.b64encode(b"x" * 32).decode()}
    settings.VERIFICATION_KEK_ID = "k2"
    assert ids(key_encryption_keys(None)) == ["verification.E001"]
    settings.VERIFICATION_KEK_ID = "k1"
    assert key_encryption_keys(None) == []


def test_the_development_key_fails_the_deploy_check(settings):
    assert "dev" in settings.VERIFICATION_KEKS  # tests run with the development SECRET_KEY
    assert ids(development_key_in_use(None)) == ["verification.E003"]
    settings.VERIFICATION_KEKS = {"prod": base64.b64encode(b"y" * 32).decode()}
    assert development_key_in_use(None) == []


def test_an_unknown_review_mode_is_refused(settings):
    settings.VERIFICATION_REVIEW_MODE = "psychic"
    assert ids(review_mode_default(None)) == ["verification.E002"]
