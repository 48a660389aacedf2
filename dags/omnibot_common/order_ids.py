"""Finding a work order without reading the whole list, as core/cmms/order-ids.ts.

The API has no filter on `numeroot`, so the client keeps a short-lived number -> primary key map,
filled from every page of `ordenes-trabajo/` it reads anyway; a status check of a known number is one
`GET ordenes-trabajo/{id}/`. In the DAGs the map lives as long as the task's process (one run), which
still spares reads when a run looks several orders up. Bounds are the catalog's `cmms` section
(`orderIdCacheSeconds`, `orderIdCacheSize`), read when first needed (never at import).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable

from .catalog import cmms_constants

# The primary-key rule: a number of digits only, alone or after `OT` ("18", "OT-18", "OT 18",
# "ot_18"), may be an order's id, so it is tried as one first (`GET ordenes-trabajo/18/`); only a 404
# (or an answer that is no order) falls back to the search by numeroot. Up to 9 digits.
_PRIMARY_KEY = re.compile(r"(?:OT *[-_]? *)?([0-9]{1,9})")
_ID_DIGITS = re.compile(r"[0-9]{1,15}")


def order_number_key(value: object) -> str:
    """A work-order number as compared: trimmed, upper case (`ot-corr-1` is `OT-CORR-1`)."""
    return ("" if value is None else str(value)).strip().upper()


def primary_key_of(numeroot: str) -> int | None:
    match = _PRIMARY_KEY.fullmatch(order_number_key(numeroot))
    order_id = int(match.group(1)) if match else 0
    return order_id if order_id > 0 else None


def _id_of(order: dict) -> int | None:
    raw = order.get("idordentrabajo")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and _ID_DIGITS.fullmatch(raw):
        raw = int(raw)
    return raw if isinstance(raw, int) and 0 < raw <= 2**53 - 1 else None


class OrderIdCache:
    """(CMMS base URL, number) -> id, each pair for `ttl` seconds, `size` pairs at most (oldest out)."""

    def __init__(self, ttl: float | None = None, size: int | None = None, now: Callable[[], float] = time.monotonic):
        self._ttl, self._size, self._now = ttl, size, now
        self._ids: dict[tuple[str, str], tuple[int, float]] = {}

    def _bounds(self) -> tuple[float, int]:
        constants = cmms_constants() if self._ttl is None or self._size is None else {}
        ttl = self._ttl if self._ttl is not None else float(constants["orderIdCacheSeconds"])
        size = self._size if self._size is not None else int(constants["orderIdCacheSize"])
        return ttl, max(1, size)

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, base: str, numeroot: str) -> int | None:
        key = (base, order_number_key(numeroot))
        entry = self._ids.get(key)
        if entry is None:
            return None
        if self._now() - entry[1] >= self._bounds()[0]:
            del self._ids[key]
            return None
        return entry[0]

    def remember(self, base: str, orders: Iterable[object]) -> None:
        at = self._now()
        for order in orders:
            if not isinstance(order, dict):
                continue
            number, order_id = order_number_key(order.get("numeroot")), _id_of(order)
            if not number or order_id is None:
                continue
            self._ids.pop((base, number), None)  # re-inserted last: the newest is evicted last
            self._ids[(base, number)] = (order_id, at)
        size = self._bounds()[1]
        while len(self._ids) > size:
            del self._ids[next(iter(self._ids))]

    def forget(self, base: str, numeroot: str) -> None:
        self._ids.pop((base, order_number_key(numeroot)), None)

    def clear(self) -> None:
        self._ids.clear()


# One per process (a task run): every CmmsClient of that process shares it, keyed by its base URL.
ORDER_IDS = OrderIdCache()
