"""The reference sample data: 20 orders over 5 customers and all 4 statuses, fixed so runs repeat."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

CUSTOMERS = ("CUST001", "CUST002", "CUST003", "CUST004", "CUST005")
STATUSES = ("pending", "processing", "shipped", "delivered")
PRODUCTS = ("Laptop", "Mouse", "Keyboard", "Monitor", "Headphones")
TTL_DAYS = 90


def sample_orders(today: date | None = None) -> list[dict[str, Any]]:
    """20 orders; ORD0001 belongs to CUST001 and is pending, as the later tasks assume."""
    today = today or date.today()
    orders = []
    for i in range(1, 21):
        orders.append(
            {
                "customer_id": CUSTOMERS[(i - 1) % len(CUSTOMERS)],
                "order_id": f"ORD{i:04d}",
                "status": STATUSES[(i - 1) % len(STATUSES)],
                "order_date": (today - timedelta(days=(i * 7) % 31)).isoformat(),
                "product": PRODUCTS[(i * 3) % len(PRODUCTS)],
                "quantity": 1 + (i * 2) % 5,
                "total_amount": Decimal(f"{50 + (i * 137.35) % 1450:.2f}"),
                "shipping_address": f"{100 + i * 37} Main St, City, State",
                "created_at": f"{today.isoformat()}T09:00:00",
            }
        )
    return orders


def expiry_timestamp(days: int = TTL_DAYS) -> int:
    """Epoch seconds `days` from now: the value DynamoDB TTL expects."""
    return int(time.time()) + days * 24 * 60 * 60
