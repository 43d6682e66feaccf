"""manage.py create_api_client NAME --scopes a,b --user USERNAME"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from oauth2_provider.models import Application

from enrollment_tracks.api.permissions import ENROLLMENTS_READ, ENROLLMENTS_WRITE
from enrollment_tracks.api.services import ApiClientCreated
from tests.api.conftest import request_token


def run(*args: str) -> dict[str, str]:
    out = io.StringIO()
    call_command("create_api_client", *args, stdout=out)
    return dict(line.split(": ", 1) for line in out.getvalue().splitlines())


def test_prints_working_credentials_of_a_confidential_client_credentials_client(service_user):
    printed = run("E-commerce", "--scopes", "enrollments:read,enrollments:write", "--user",
                  service_user.username)  # fmt: skip

    application = Application.objects.get(name="E-commerce")
    assert printed["client_id"] == application.client_id
    assert printed["user"] == service_user.username
    assert printed["scopes"] == "enrollments:read enrollments:write"
    assert application.user == service_user
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
    assert application.client_secret != printed["client_secret"]  # only the hash is stored
    assert application.access.scope_set == {ENROLLMENTS_READ, ENROLLMENTS_WRITE}
    created = ApiClientCreated(
        application_id=application.pk,
        client_id=printed["client_id"],
        client_secret=printed["client_secret"],
        scopes=frozenset(),
    )
    response = request_token(created)
    assert response.status_code == 200
    assert response.json()["scope"] == "enrollments:read enrollments:write"


def test_without_scopes_the_client_holds_none(service_user):
    printed = run("Reports", "--user", service_user.username)

    assert printed["scopes"] == "(none)"
    assert Application.objects.get().access.scope_set == frozenset()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--scopes", "enrollments:read,admin", "--user", "ecommerce_worker"],
         "Unknown scopes: admin."),
        (["X", "--user", "nobody"], "No user 'nobody'"),
        (["  ", "--user", "ecommerce_worker"], "Name the client."),
    ],
)  # fmt: skip
def test_bad_input_is_refused(service_user, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)

    assert not Application.objects.exists()


def test_a_name_is_used_once(service_user):
    run("Shop", "--user", service_user.username)

    with pytest.raises(CommandError, match=r"A client named 'Shop' already exists\."):
        run("Shop", "--user", service_user.username)


def test_an_inactive_service_user_is_refused(service_user):
    service_user.is_active = False
    service_user.save()

    with pytest.raises(CommandError, match="inactive"):
        run("Shop", "--user", service_user.username)
