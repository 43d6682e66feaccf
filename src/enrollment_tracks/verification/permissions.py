"""Who may do what with ID verifications. Every interface (page, API, admin) asks these.

* a learner: submits and sees only their own attempts;
* a reviewer: global staff (``is_staff``) holding ``verification.review_attempt``; sees the
  queue, views decrypted photos (logged), decides. Course team roles give nothing here;
* the Open edX status API: the learner named in the URL, or global staff.
"""

from __future__ import annotations

from typing import Any

REVIEW_PERMISSION = "verification.review_attempt"


def can_review(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and user.has_perm(REVIEW_PERMISSION)
    )


def can_read_status_of(user: Any, username: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_staff", False) or user.get_username() == username)
