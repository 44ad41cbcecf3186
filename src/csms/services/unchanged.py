"""A marker for "leave this field as it is", distinct from None ("clear it")."""

from __future__ import annotations

import enum
from typing import Final


class Unchanged(enum.Enum):
    UNCHANGED = "unchanged"


UNCHANGED: Final = Unchanged.UNCHANGED
