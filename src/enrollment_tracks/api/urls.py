"""OAuth2 for service clients, under ``/oauth2/``.

``access_token`` has Open edX's exact path (no trailing slash), which ``edx-rest-api-client``
posts to. ``revoke_token/`` is django-oauth-toolkit's (RFC 7009) for bearer tokens. Clients are
registered in the admin ("Applications") or with ``manage.py create_api_client``.
"""

from django.urls import path
from oauth2_provider.views import RevokeTokenView

from enrollment_tracks.api.views import AccessTokenView

app_name = "oauth2"

urlpatterns = [
    path("oauth2/access_token", AccessTokenView.as_view(), name="access-token"),
    path("oauth2/revoke_token/", RevokeTokenView.as_view(), name="revoke-token"),
]
