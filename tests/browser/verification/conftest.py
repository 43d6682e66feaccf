from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def photo_dir(settings, tmp_path):
    """The ciphertexts of each test in its own directory."""
    location = tmp_path / "verification"
    settings.STORAGES = {
        **settings.STORAGES,
        "verification": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location
