from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from enrollment_tracks.core.selectors import site_configuration_get


def site(request: HttpRequest) -> dict[str, Any]:
    return {"site": site_configuration_get()}
