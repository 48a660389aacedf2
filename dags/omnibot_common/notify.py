"""Work-order change notifications (the scheduled DAG notificar_cambios_ot): what changed since the last
run, and the signed POST of those changes to the gateway's `/api/bot/notify`.

Detection (the same rules as the gateway's in-process poller): an order's signature is (state name,
technician id). Without a seen state the run is the baseline: it records every order and sends nothing.
A listed order whose signature differs from the seen one, or that was not seen before (previous_state
null), is a change; its sequence (the seen `seq` + 1) makes the change id `<order id>:<seq>`, so a run
retried before the seen state was saved sends the same ids again and the gateway tells nobody twice.
An order missing from the list is kept as it was seen (a page that shifted while it was read must not
make it "new" later).

The seen state is the Airflow Variable `omnibot_notify_seen`:
`{"baseline_at": <ISO time>, "orders": {"<id>": {"state", "technician_id", "technician_name", "seq"}}}`.
It is written only after every batch was answered 200 (the DAG file does that).

The POST is signed exactly as the workflow callback (callback.py: `X-Omnibot-Signature: sha256=<hex
HMAC-SHA256(omnibot_callback_secret, raw body)>`); body `{"source": "notificar_cambios_ot", "changes":
[...]}`, at most 500 changes and a byte budget per batch. Plain Python: Airflow is imported only by the
functions that read Variables.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping

import requests

from .callback import SIGNATURE_HEADER, encode_body, sign
from .errors import WorkflowFailure

DAG_ID = "notificar_cambios_ot"
SEEN_VARIABLE = "omnibot_notify_seen"
INTERVAL_VARIABLE = "omnibot_notify_interval_minutes"
INTERVAL_ENV = "NOTIFY_INTERVAL_MINUTES"
DEFAULT_INTERVAL_MINUTES = 2
MAX_INTERVAL_MINUTES = 1440
MAX_BATCH_CHANGES = 500
NOTIFY_PATH = "/api/bot/notify"
CREDENTIALS_PATH = "/api/bot/credentials"
# Bounds of the strings of a change, as the gateway's (core/notify/schema.ts: a longer number is refused).
LIMITS = {"number": 100, "equipment": 200, "state": 100, "name": 200, "observations": 2000}
COMPLETED_STATE = "Completada"  # only then are an order's observations news (as core/notify/detect.ts)
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


# --- detection --------------------------------------------------------------------------------------


def _positive(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: object, limit: int) -> str | None:
    """A trimmed string (a number as its digits) cut at `limit` (ending in …), or None when empty."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _state(order: dict) -> str:
    return _text(order.get("estado_nombre"), LIMITS["state"]) or ""


def signature(order: dict) -> tuple[str, int | None]:
    """What a change is about: the state's name and the technician's id."""
    return _state(order), _positive(order.get("idtecnicoasignado"))


def _seen_entry(order: dict, seq: int) -> dict:
    state, technician = signature(order)
    name = _text(order.get("tecnico_nombre"), LIMITS["name"]) if technician else None
    return {"state": state, "technician_id": technician, "technician_name": name, "seq": seq}


def _valid_entry(entry: object) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("state"), str):
        return False
    seq, technician = entry.get("seq"), entry.get("technician_id")
    return (
        isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0
        and (technician is None or _positive(technician) is not None)
    )


def read_seen(raw: str | None) -> dict | None:
    """The persisted seen state, or None (baseline): absent, empty, or unreadable (logged; a baseline
    again sends nothing rather than announcing every order)."""
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
    normalized = {k: {**v, "technician_id": _positive(v.get("technician_id"))} for k, v in orders.items()}
    return {"baseline_at": str(seen.get("baseline_at") or ""), "orders": normalized}


def _equipment(order: dict, order_id: int) -> str:
    named = _text(order.get("equipo_nombre"), LIMITS["equipment"]) or _text(order.get("equipo_codigo"), LIMITS["equipment"])
    return named or f"Equipo {_text(order.get('idequipo'), 20) or order_id}"


def _change(order_id: int, seq: int, order: dict, before: dict | None) -> dict:
    state, technician = signature(order)
    observations = _text(order.get("observacionesfinales"), LIMITS["observations"]) if state == COMPLETED_STATE else None
    return {
        "change_id": f"{order_id}:{seq}",
        "order_id": order_id,
        "number": _text(order.get("numeroot"), LIMITS["number"]),
        "equipment": _equipment(order, order_id),
        "state": state,
        "previous_state": before["state"] if before else None,
        "technician_id": technician,
        "technician_name": _text(order.get("tecnico_nombre"), LIMITS["name"]) if technician else None,
        "previous_technician_id": before.get("technician_id") if before else None,
        "previous_technician_name": before.get("technician_name") if before else None,
        "requester_id": _positive(order.get("idsolicitante")),
        "observations": observations,
    }


def detect_changes(seen: dict | None, orders: list[dict], now: str) -> tuple[list[dict], dict]:
    """(changes, the seen state to save once they were accepted), as the module docstring says. Pure:
    the same seen state and orders give the same changes and ids."""
    current: dict[int, dict] = {}
    for order in orders:  # a record without a positive id or a number is no order: left out
        order_id = _positive(order.get("idordentrabajo")) if isinstance(order, dict) else None
        if order_id is not None and order_id not in current and _text(order.get("numeroot"), LIMITS["number"]):
            current[order_id] = order
    if seen is None:
        return [], {"baseline_at": now, "orders": {str(i): _seen_entry(o, 0) for i, o in sorted(current.items())}}
    known = dict(seen["orders"])
    changes = []
    for order_id, order in sorted(current.items()):
        before = known.get(str(order_id))
        if before is not None and (before["state"], before.get("technician_id")) == signature(order):
            continue
        seq = (before["seq"] if before else 0) + 1
        changes.append(_change(order_id, seq, order, before))
        known[str(order_id)] = _seen_entry(order, seq)
    return changes, {"baseline_at": seen["baseline_at"], "orders": known}


# --- delivery ---------------------------------------------------------------------------------------


def batches(changes: list[dict], *, max_changes: int = MAX_BATCH_CHANGES, max_bytes: int = 900_000) -> list[list[dict]]:
    """The changes in order, in batches of at most `max_changes` whose body fits in `max_bytes` (a lone
    change is its own batch whatever its size)."""
    envelope = len(encode_body({"source": DAG_ID, "changes": []}))
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


def post_changes(url: str, secret: str, changes: list[dict], *, timeout: float = 30.0, post=requests.post) -> dict:
    """POSTs one batch, signed; the gateway's counts `{accepted, notified, duplicates}`. A batch refused
    as too large (413) is sent again as two halves. Raises WorkflowFailure: retryable for no answer, 5xx,
    408 and 429 (Airflow tries the task again; the same change ids are sent), not for the other refusals."""
    body = encode_body({"source": DAG_ID, "changes": changes})
    headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(secret, body)}
    try:
        response = post(url, data=body, headers=headers, timeout=(min(5.0, timeout), timeout))
    except requests.RequestException as exc:
        raise WorkflowFailure("workflow_failed", f"notify POST to {url} got no answer: {type(exc).__name__}", retryable=True) from exc
    status = response.status_code
    if status == 413 and len(changes) > 1:
        half = len(changes) // 2
        parts = [post_changes(url, secret, part, timeout=timeout, post=post) for part in (changes[:half], changes[half:])]
        return {key: sum(int(p.get(key) or 0) for p in parts) for key in ("accepted", "notified", "duplicates")}
    if 200 <= status < 300:
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return answer if isinstance(answer, dict) else {}
    if status >= 500 or status in (408, 429):
        wait = response.headers.get("Retry-After") if getattr(response, "headers", None) else None
        after = f" (Retry-After {str(wait)[:20]})" if wait else ""
        raise WorkflowFailure("workflow_failed", f"notify POST answered {status}{after}: trying again later", retryable=True, status=status)
    if status in (401, 404):
        problem = "refused the signature: omnibot_callback_secret must be the gateway's CALLBACK_SECRET" if status == 401 else "has no notify route there"
        raise WorkflowFailure("config_missing", f"the gateway at {url} {problem} ({status})", status=status)
    reason = " ".join((response.text or "").split())[:200]
    raise WorkflowFailure("workflow_failed", f"notify POST refused ({status}): {reason}", status=status)
