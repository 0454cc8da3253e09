"""The reference solution's TTL value (the orders it loads are the assessment's seed orders)."""

from __future__ import annotations

import time

TTL_DAYS = 90


def expiry_timestamp(days: int = TTL_DAYS) -> int:
    """Epoch seconds `days` from now: the value DynamoDB TTL expects."""
    return int(time.time()) + days * 24 * 60 * 60
