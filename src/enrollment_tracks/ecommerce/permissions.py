"""Who may use the e-commerce pages. Learners see only their own orders (others' are 404);
the course team and global staff see, export and refund a course's orders."""

from __future__ import annotations

from typing import Any

from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.ecommerce.models import Order


def can_see_order(user: Any, order: Order) -> bool:
    return bool(getattr(user, "is_authenticated", False) and order.user_id == user.pk)


def can_manage_orders(user: Any, course: CourseRun) -> bool:
    """List, export and refund the course's orders: its course team, or global staff."""
    return can_manage_course(user, course)
