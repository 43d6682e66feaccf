from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from tests.factories import UserFactory
from tests.web.markup import Element, find_all, text

NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def superuser() -> User:
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser) -> Client:
    """The test client signed in as the site's superuser (replaces pytest-django's own)."""
    client = Client()
    client.force_login(superuser)
    return client


def form_row(root: Element, field: str) -> str:
    """The text of the admin's row for ``field`` (label, errors, widget and help)."""
    rows = [
        row
        for row in find_all(root, "div", class_="form-row")
        if f"field-{field}" in (row.attributes.get("class") or "").split()
    ]
    assert len(rows) == 1, f"expected one admin row for {field}, found {len(rows)}"
    return text(rows[0])


def row_has_errors(root: Element, field: str) -> bool:
    return any(
        {"errors", f"field-{field}"} <= set((row.attributes.get("class") or "").split())
        for row in find_all(root, "div", class_="form-row")
    )
