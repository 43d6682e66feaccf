"""The site's switches: defaults from settings, cached reads, checked writes."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.core.models import SiteConfiguration
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.core.types import SiteSettings


def test_defaults_come_from_settings():
    defaults = django_settings.SITE_DEFAULTS

    site = site_configuration_get()

    assert site == SiteSettings(
        platform_name=defaults["platform_name"],
        ecommerce_enabled=defaults["ecommerce_enabled"],
        id_verification_enabled=defaults["id_verification_enabled"],
        default_currency=defaults["default_currency"].lower(),
    )
    assert SiteConfiguration.objects.count() == 1


def test_other_defaults_are_read_when_the_row_is_first_made(settings):
    settings.SITE_DEFAULTS = {
        "platform_name": "Campus",
        "ecommerce_enabled": True,
        "id_verification_enabled": True,
        "default_currency": "EUR",
    }

    assert site_configuration_get() == SiteSettings(
        platform_name="Campus",
        ecommerce_enabled=True,
        id_verification_enabled=True,
        default_currency="eur",
    )


def test_update_is_seen_by_the_next_read():
    assert site_configuration_get().ecommerce_enabled is False  # now cached

    returned = site_configuration_update(ecommerce_enabled=True, platform_name="Campus")

    assert (returned.ecommerce_enabled, returned.platform_name) == (True, "Campus")
    assert site_configuration_get() == returned
    assert SiteConfiguration.objects.get().ecommerce_enabled is True


def test_update_normalises_the_currency():
    site_configuration_update(default_currency="EUR")

    assert site_configuration_get().default_currency == "eur"


def test_unknown_setting_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        site_configuration_update(ecommerce_enabled=True, payments="on")

    assert caught.value.code == "unknown_setting"
    assert "payments" in caught.value.message
    assert site_configuration_get().ecommerce_enabled is False


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_platform_name_is_refused(name):
    before = site_configuration_get()

    with pytest.raises(ValidationFailed) as caught:
        site_configuration_update(ecommerce_enabled=True, platform_name=name)

    assert (caught.value.code, caught.value.field) == ("required", "platform_name")
    assert "platform name cannot be empty" in caught.value.message
    assert site_configuration_get() == before
    assert SiteConfiguration.objects.get().ecommerce_enabled is False


def test_bad_currency_is_refused():
    before = site_configuration_get()

    with pytest.raises(ValidationFailed) as caught:
        site_configuration_update(default_currency="xyz")

    assert (caught.value.code, caught.value.field) == ("unknown_currency", "default_currency")
    assert "xyz" in caught.value.message
    assert site_configuration_get() == before
