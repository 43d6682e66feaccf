"""Clients are registered in the admin: django-oauth-toolkit's Application with scopes inline."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import Application

from enrollment_tracks.api.models import ApplicationAccess
from enrollment_tracks.api.permissions import COMMERCE_WRITE, ENROLLMENTS_READ
from tests.factories import UserFactory


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def inline(prefix: str = "access", **fields) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "1",
        **{f"{prefix}-0-{name}": value for name, value in fields.items()},
    }


def test_the_add_page_offers_the_scopes(admin_client):
    response = admin_client.get(reverse("admin:oauth2_provider_application_add"))

    assert response.status_code == 200
    for scope in (ENROLLMENTS_READ, COMMERCE_WRITE):
        assert f'value="{scope}"'.encode() in response.content


def test_an_application_is_added_with_its_scopes(admin_client, service_user):
    body = {
        "client_id": "shop-client",
        "client_secret": "a-long-client-secret",
        "hash_client_secret": "on",
        "user": str(service_user.pk),
        "redirect_uris": "",
        "post_logout_redirect_uris": "",
        "allowed_origins": "",
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
        "name": "Shop",
        "algorithm": "",
        **inline(scopes=[ENROLLMENTS_READ, COMMERCE_WRITE]),
    }

    response = admin_client.post(reverse("admin:oauth2_provider_application_add"), body)

    assert response.status_code == 302, response.context and response.context["errors"]
    access = ApplicationAccess.objects.get(application__name="Shop")
    assert access.scopes == "commerce:write enrollments:read"
    change = admin_client.get(
        reverse("admin:oauth2_provider_application_change", args=[access.application.pk])
    )
    assert change.status_code == 200
