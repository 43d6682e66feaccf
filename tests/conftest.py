from __future__ import annotations

import pytest
from django.core.cache import cache

from enrollment_tracks.core.models import SiteConfiguration
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_site_configuration(db: None) -> None:
    """Every test starts from the settings' defaults (e-commerce and ID verification off)."""
    SiteConfiguration.objects.all().delete()
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Factories hash a password per user; the production hasher would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def learner():
    return UserFactory()


@pytest.fixture
def global_staff():
    return UserFactory(username="operator", is_staff=True, is_superuser=True)
