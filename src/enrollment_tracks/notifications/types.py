from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    key: str
    to_email: str
    message_type: str
    context: dict[str, Any] = field(default_factory=dict)
