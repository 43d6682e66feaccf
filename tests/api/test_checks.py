"""Start-up checks of the api app."""

from __future__ import annotations

from enrollment_tracks.api import checks


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_configuration_passes():
    assert checks.jwt_key_is_long_enough(None) == []
    assert checks.every_scope_is_described(None) == []
    assert checks.enrollment_write_rate_parses(None) == []


def test_a_short_jwt_key_is_refused(settings):
    settings.JWT_SECRET_KEY = "short"

    assert ids(checks.jwt_key_is_long_enough(None)) == ["api.E001"]


def test_every_scope_must_be_described(settings):
    scopes = dict(settings.OAUTH2_PROVIDER["SCOPES"])
    scopes.pop("commerce:write")
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "SCOPES": {**scopes, "read": "x"}}

    messages = checks.every_scope_is_described(None)

    assert ids(messages) == ["api.E002"]
    assert "commerce:write" in messages[0].hint
    assert "read" in messages[0].hint


def test_the_write_rate_must_parse(settings):
    for rate in ("sixty", "60/fortnight", "60/"):
        settings.ENROLLMENT_WRITE_RATE = rate
        assert ids(checks.enrollment_write_rate_parses(None)) == ["api.E003"], rate
