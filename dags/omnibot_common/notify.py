"""Work-order change notifications (the scheduled DAG notificar_cambios_ot): its settings, the state it
keeps, and the signed POST of the changes to the gateway's `/api/bot/notify`. What changed is found by
notify_detect.py (the gateway's rules).

The state is the Airflow Variable `omnibot_notify_seen`:
`{"baseline_at": <ISO time>, "orders": {"<id>": {"state", "technician_id", "technician_name", "seq"}},
"pending": [{"change": <change as posted>, "added_at": <ISO time>}]}`. A run saves the orders' new
sequences and its new changes as pending BEFORE it posts anything, then posts every pending change and
drops each batch once the gateway answered it 200 (its accepted changes were told to every chat; its
`rejected` ones are refused for good and logged). A change still pending after a day is given up (logged).

The POST is signed exactly as the workflow callback (callback.py: `X-Omnibot-Signature: sha256=<hex
HMAC-SHA256(omnibot_callback_secret, raw body)>`); body `{"source": "notificar_cambios_ot", "sent_at":
<ISO time, built anew for each POST: the gateway refuses a body older than 10 minutes>, "changes":
[...]}`, at most 500 changes and a byte budget per batch. Plain Python: Airflow is imported only by the
functions that read Variables.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone

import requests

from .callback import SIGNATURE_HEADER, sign
from .errors import WorkflowFailure
from .notify_detect import MAX_SAFE_INTEGER, change_problem, epoch_ms, iso_ms, positive_id
from .notify_detect import detect_changes as detect_changes  # the DAG imports it from here

DAG_ID = "notificar_cambios_ot"
SEEN_VARIABLE = "omnibot_notify_seen"
INTERVAL_VARIABLE = "omnibot_notify_interval_minutes"
INTERVAL_ENV = "NOTIFY_INTERVAL_MINUTES"
DEFAULT_INTERVAL_MINUTES = 2
MAX_INTERVAL_MINUTES = 1440
MAX_BATCH_CHANGES = 500
NOTIFY_PATH = "/api/bot/notify"
CREDENTIALS_PATH = "/api/bot/credentials"
PENDING_MAX_AGE = timedelta(days=1)  # a change no chat could be told of for a day is given up
log = logging.getLogger(__name__)


# --- settings ---------------------------------------------------------------------------------------


def _airflow_variable(key: str) -> str | None:
    from airflow.sdk import Variable

    value = Variable.get(key, default=None)
    return None if value is None else str(value).strip() or None


def interval_minutes(
    env: Mapping[str, str] = os.environ, variable: Callable[[str], str | None] = _airflow_variable
) -> int:
    """The schedule, read when the DAG file is parsed: the Variable omnibot_notify_interval_minutes, else
    env NOTIFY_INTERVAL_MINUTES, else 2. A value that is not a whole number of minutes from 1 to 1440 is
    logged and the default used; a Variable that cannot be read (no metadata database) is skipped."""
    raw, source = None, None
    try:
        raw, source = variable(INTERVAL_VARIABLE), f"Variable {INTERVAL_VARIABLE}"
    except Exception as exc:  # noqa: BLE001 - parsing a DAG file must never fail on this
        log.info("Variable %s not readable while parsing (%s): using env or default", INTERVAL_VARIABLE, type(exc).__name__)
    if raw is None:
        raw, source = (env.get(INTERVAL_ENV) or "").strip() or None, f"env {INTERVAL_ENV}"
    if raw is None:
        return DEFAULT_INTERVAL_MINUTES
    text = raw.strip()
    if text.isdigit() and 1 <= int(text) <= MAX_INTERVAL_MINUTES:
        return int(text)
    log.warning(
        "%s=%r is not a whole number of minutes from 1 to %d: using %d",
        source, text[:40], MAX_INTERVAL_MINUTES, DEFAULT_INTERVAL_MINUTES,
    )
    return DEFAULT_INTERVAL_MINUTES


def notify_url(env: Mapping[str, str] = os.environ, variable: Callable[[str], str | None] = _airflow_variable) -> str:
    """Where the changes go: the Variable omnibot_notify_url, else env OMNIBOT_NOTIFY_URL, else the
    Variable omnibot_credentials_url with its `/api/bot/credentials` read as `/api/bot/notify` (the same
    gateway); config_missing when none is set."""
    configured = variable("omnibot_notify_url") or (env.get("OMNIBOT_NOTIFY_URL") or "").strip()
    if configured:
        return configured
    credentials = (variable("omnibot_credentials_url") or "").rstrip("/")
    if credentials.endswith(CREDENTIALS_PATH):
        return credentials[: -len(CREDENTIALS_PATH)] + NOTIFY_PATH
    raise WorkflowFailure(
        "config_missing",
        "no notify URL: set the Airflow Variable omnibot_notify_url (or env OMNIBOT_NOTIFY_URL) to "
        "{PUBLIC_URL}/api/bot/notify of the gateway",
    )


# --- state -------------------------------------------------------------------------------------------


def _valid_entry(entry: object) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("state"), str):
        return False
    seq, technician = entry.get("seq"), entry.get("technician_id")
    return (
        isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq <= MAX_SAFE_INTEGER
        and (technician is None or positive_id(technician) is not None)
    )


def _valid_pending(entry: object) -> bool:
    return (
        isinstance(entry, dict) and isinstance(entry.get("change"), dict) and isinstance(entry.get("added_at"), str)
        and change_problem(entry["change"]) is None
    )


def read_seen(raw: str | None) -> dict | None:
    """The persisted state, or None (baseline): absent, empty, or unreadable (logged; a baseline again
    sends nothing rather than announcing every order). A pending entry that is not one is dropped."""
    if raw is None or not str(raw).strip():
        return None
    try:
        seen = json.loads(raw)
    except ValueError:
        seen = None
    orders = seen.get("orders") if isinstance(seen, dict) else None
    if not isinstance(orders, dict) or not all(k.isdigit() and _valid_entry(v) for k, v in orders.items()):
        log.warning("Variable %s is not a seen state: taking a new baseline", SEEN_VARIABLE)
        return None
    normalized = {k: {**v, "technician_id": positive_id(v.get("technician_id"))} for k, v in orders.items()}
    pending = seen.get("pending") if isinstance(seen.get("pending"), list) else []
    kept = [entry for entry in pending if _valid_pending(entry)]
    if len(kept) < len(pending):
        log.warning("Variable %s: %d pending entries are no changes: dropped", SEEN_VARIABLE, len(pending) - len(kept))
    return {"baseline_at": str(seen.get("baseline_at") or ""), "orders": normalized, "pending": kept}


def encode_state(state: dict) -> str:
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def add_pending(state: dict, changes: list[dict], now: datetime) -> list[str]:
    """Adds the new changes to the state's pending ones and drops those pending for longer than a day;
    the ids dropped (the caller logs them)."""
    cutoff = epoch_ms(iso_ms(now - PENDING_MAX_AGE))
    kept, expired = [], []
    for entry in state["pending"]:
        (expired if epoch_ms(entry["added_at"]) < cutoff else kept).append(entry)
    state["pending"] = kept + [{"change": change, "added_at": iso_ms(now)} for change in changes]
    return [entry["change"]["change_id"] for entry in expired]


# --- delivery ---------------------------------------------------------------------------------------

COUNTS = ("accepted", "notified", "duplicates")


def encode_body(payload: dict) -> bytes:
    """The exact bytes signed and sent: UTF-8, a lone surrogate (a broken CMMS text) as "?"."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def batches(changes: list[dict], *, max_changes: int = MAX_BATCH_CHANGES, max_bytes: int = 900_000) -> list[list[dict]]:
    """The changes in order, in batches of at most `max_changes` whose body fits in `max_bytes` (a lone
    change is its own batch whatever its size)."""
    envelope = len(encode_body({"source": DAG_ID, "sent_at": iso_ms(datetime.now(timezone.utc)), "changes": []}))
    out: list[list[dict]] = []
    batch: list[dict] = []
    size = envelope
    for change in changes:
        grows = len(encode_body(change)) + 1
        if batch and (len(batch) >= max_changes or size + grows > max_bytes):
            out.append(batch)
            batch, size = [], envelope
        batch.append(change)
        size += grows
    if batch:
        out.append(batch)
    return out


def _answer(response) -> dict:
    """The gateway's 200: its counts and its `rejected` list (each `{index, change_id?, reason}`)."""
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    answer = answer if isinstance(answer, dict) else {}
    counts = {key: answer[key] if isinstance(answer.get(key), int) and not isinstance(answer.get(key), bool) else 0 for key in COUNTS}
    rejected = answer.get("rejected") if isinstance(answer.get("rejected"), list) else []
    return {**counts, "rejected": [r for r in rejected if isinstance(r, dict) and isinstance(r.get("index"), int)]}


def post_changes(
    url: str, secret: str, changes: list[dict], *, timeout: float = 30.0, post=requests.post, clock=lambda: datetime.now(timezone.utc)
) -> dict:
    """POSTs one batch, signed, its `sent_at` taken now (a retried POST is a new body, signed again); the
    gateway's `{accepted, notified, duplicates, rejected}`. A batch refused as too large (413) is sent again
    as two halves (a lone change refused so is rejected). Raises WorkflowFailure: retryable for no answer,
    5xx, 408 and 429 (Airflow tries the task again; the same change ids are sent), not for the other
    refusals (400: the body as a whole, e.g. `stale` when this clock is off by more than 5 minutes)."""
    body = encode_body({"source": DAG_ID, "sent_at": iso_ms(clock()), "changes": changes})
    headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(secret, body)}
    try:
        response = post(url, data=body, headers=headers, timeout=(min(5.0, timeout), timeout))
    except requests.RequestException as exc:
        raise WorkflowFailure("workflow_failed", f"notify POST to {url} got no answer: {type(exc).__name__}", retryable=True) from exc
    status = response.status_code
    if status == 413 and len(changes) > 1:
        half = len(changes) // 2
        first, second = (post_changes(url, secret, part, timeout=timeout, post=post, clock=clock) for part in (changes[:half], changes[half:]))
        shifted = [{**r, "index": r["index"] + half} for r in second["rejected"]]
        return {**{key: first[key] + second[key] for key in COUNTS}, "rejected": first["rejected"] + shifted}
    if status == 413:
        reason = "the change alone is larger than the gateway takes (413)"
        return {**dict.fromkeys(COUNTS, 0), "rejected": [{"index": 0, "change_id": changes[0].get("change_id"), "reason": reason}]}
    if 200 <= status < 300:
        return _answer(response)
    if status >= 500 or status in (408, 429):
        wait = response.headers.get("Retry-After") if getattr(response, "headers", None) else None
        after = f" (Retry-After {str(wait)[:20]})" if wait else ""
        raise WorkflowFailure("workflow_failed", f"notify POST answered {status}{after}: trying again later", retryable=True, status=status)
    if status in (401, 404):
        problem = "refused the signature: omnibot_callback_secret must be the gateway's CALLBACK_SECRET" if status == 401 else "has no notify route there"
        raise WorkflowFailure("config_missing", f"the gateway at {url} {problem} ({status})", status=status)
    reason = " ".join((response.text or "").split())[:200]
    raise WorkflowFailure("workflow_failed", f"notify POST refused ({status}): {reason}", status=status)
