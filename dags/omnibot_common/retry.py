"""Waits of the DAGs' CMMS client, computed as the in-process client computes them: Retry-After as
core/http/retry-after.ts reads it, backoff as core/retry.ts's `up` jitter."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from .catalog import cmms_constants

BUSY_STATUSES = (408, 429)  # "busy, ask again later" (cmms_busy), as core/cmms/failures.ts
BACKOFF_BASE_SECONDS = 0.2  # as core/cmms/client.ts's RETRY_BACKOFF.baseMs
UP_JITTER = 0.2  # as core/retry.ts's 'up' jitter: a wait is its ceiling plus up to 20 % more


def retry_after_max_seconds() -> float:
    """The longest Retry-After a busy CMMS answer is waited for (the catalog's, read when asked)."""
    return float(cmms_constants()["retryAfterMaxSeconds"])


# A Retry-After in seconds: a decimal number as JavaScript's Number reads one (its hex forms aside).
_SECONDS = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_retry_after(value: str | None, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> float | None:
    """As core/http/retry-after.ts parseRetryAfter, in seconds: a delay in seconds (decimals allowed, at
    least 0) or an HTTP date (a past one is 0); None when absent or unreadable."""
    text = str(value or "").strip()
    if not text:
        return None
    if _SECONDS.fullmatch(text):
        seconds = float(text)
        if math.isfinite(seconds) and seconds >= 0:
            return max(0.0, seconds)  # -0 is 0
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # "-0000": UTC with no zone known
    return max(0.0, (moment - now()).total_seconds())


def _retry_after(headers) -> float | bool | None:
    """A busy answer's Retry-After in seconds; None when absent or unreadable, False when longer than
    retry_after_max_seconds() (then it is not waited for, as core/cmms/failures.ts `busy`)."""
    seconds = parse_retry_after(headers.get("Retry-After"))
    if seconds is None:
        return None
    return False if seconds > retry_after_max_seconds() else seconds


def _backoff(retry: int, rand: Callable[[], float] = random.random) -> float:
    """As core/cmms/client.ts's RETRY_BACKOFF ({ baseMs: 200, jitter: 'up' } of core/retry.ts
    backoffDelay): a ceiling of 0.2 s doubled each retry (no cap), waited plus up to 20 % more."""
    ceiling_ms = BACKOFF_BASE_SECONDS * 1000 * 2 ** max(0, retry - 1)
    return math.floor(ceiling_ms * (1 + UP_JITTER * rand()) + 0.5) / 1000  # whole ms, as Math.round


