"""What this app asks of apps that may not be installed: certificates and ID verification.

Each question has one answer when the app is absent, so that the shop works without them: no
certificate was issued; nobody is verified and there is no page to send them to.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import NoReverseMatch, reverse

CERTIFICATES_APP = "enrollment_tracks.certificates"
VERIFICATION_APP = "enrollment_tracks.verification"
#: URL names the verification app's start page may have, in the order we try them.
VERIFICATION_START_URLS = ("verification:start",)


def certificate_issued(user_id: int, course_id: int) -> bool:
    """A certificate was issued to the learner in the course (refunds are closed then)."""
    if not apps.is_installed(CERTIFICATES_APP):
        return False
    selectors = importlib.import_module(f"{CERTIFICATES_APP}.selectors")
    return bool(selectors.certificate_issued_exists(user_id, course_id))


def user_is_verified(user_id: int) -> bool:
    if not apps.is_installed(VERIFICATION_APP):
        return False
    selectors = importlib.import_module(f"{VERIFICATION_APP}.selectors")
    return bool(selectors.user_is_verified(user_id))


def verification_start_url() -> str | None:
    """The ID-verification start page, or ``None`` when the site has none."""
    if not apps.is_installed(VERIFICATION_APP):
        return None
    for name in VERIFICATION_START_URLS:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None
