"""The signed callback to the gateway: `X-Omnibot-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`.

The body is serialized once and those exact bytes are both signed and sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import requests

SIGNATURE_HEADER = "X-Omnibot-Signature"
log = logging.getLogger(__name__)


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def build_payload(*, conversation_id: str, run_id: str, dag_id: str, result: dict | None, error: dict | None) -> dict:
    payload: dict = {"conversation_id": conversation_id, "run_id": run_id, "dag_id": dag_id}
    if error is None:
        payload.update(status="success", result=result)
    else:
        payload.update(status="failed", error=error)
    return payload


def post_callback(
    url: str,
    secret: str,
    payload: dict,
    *,
    attempts: int = 5,
    backoff_seconds: float = 1.0,
    timeout: float = 10.0,
) -> str:
    """POSTs the signed payload. Retries network errors and 5xx with exponential backoff.

    Returns 'delivered' (2xx), 'stale' (409: the gateway no longer waits for this run; final) or
    'rejected' (another 4xx; final). Raises requests.RequestException-free RuntimeError when every
    attempt failed on network errors/5xx.
    """
    body = encode_body(payload)
    headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(secret, body)}
    last = "no attempt"
    for attempt in range(1, attempts + 1):
        try:
            response = requests.post(url, data=body, headers=headers, timeout=timeout)
        except requests.RequestException as exc:
            last = f"{type(exc).__name__}"
        else:
            if response.status_code < 300:
                return "delivered"
            if response.status_code == 409:
                log.warning("callback for run %s answered 409: stale run, not retried", payload.get("run_id"))
                return "stale"
            if response.status_code < 500:
                log.error("callback for run %s rejected with %s: %s", payload.get("run_id"), response.status_code, response.text[:200])
                return "rejected"
            last = f"HTTP {response.status_code}"
        if attempt < attempts:
            delay = backoff_seconds * (2 ** (attempt - 1))
            log.warning("callback attempt %d/%d failed (%s); retrying in %.1fs", attempt, attempts, last, delay)
            time.sleep(delay)
    raise RuntimeError(f"callback to {url} failed after {attempts} attempts: {last}")
