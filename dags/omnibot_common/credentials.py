"""A run acting for a linked user: its CMMS client carries that user's own token, fetched from the
gateway, never from the dag conf (which holds only `acting_as {cmms_user_id, username}` and
`credentials_url`).

The request is `POST {credentials_url}` with the body `{conversation_id, run_id, ts}` (ts: unix
seconds), signed as the callback (`X-Omnibot-Signature: sha256=<HMAC(callback secret, raw body)>`).
The gateway answers 200 `{token}` while the run is the conversation's pending one and the link is
live; 403 when the link is gone or expired (identity_expired: the user is asked to link again); 401 for
a bad signature or a clock more than 60 s off; 409 when the run is no longer pending there.

The token is masked in the Airflow logs at once, never logged, never returned (nor put in XCom): it
lives in the client's session only. That client never logs in as the service account: a 401 with the
user's token is identity_expired, a 403 not_allowed (cmms_http.py). Without `acting_as` the run uses
the service account (settings.py: cmms_token and/or cmms_username/cmms_password).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import requests

from .callback import SIGNATURE_HEADER, encode_body, sign
from .cmms import CmmsClient, api_base
from .cmms_login import mask
from .errors import WorkflowFailure

log = logging.getLogger(__name__)


def acting_as(conf: dict) -> dict | None:
    """The linked user the run acts for (`conf.acting_as`), or None: the service account."""
    who = conf.get("acting_as")
    return who if isinstance(who, dict) and who else None


def fetch_user_token(
    url: str,
    secret: str,
    *,
    conversation_id: str,
    run_id: str,
    timeout: float = 10.0,
    now: Callable[[], float] = time.time,
) -> str:
    """The linked user's CMMS token from the gateway (masked before it is returned)."""
    body = encode_body({"conversation_id": conversation_id, "run_id": run_id, "ts": int(now())})
    headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(secret, body)}
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise WorkflowFailure("workflow_failed", f"credentials request failed: {type(exc).__name__}", retryable=True) from exc
    status = response.status_code
    if status == 403:
        raise WorkflowFailure("identity_expired", "the user's CMMS link is gone or expired (credentials 403)")
    if status == 401:
        raise WorkflowFailure("config_missing", "the gateway refused the credentials request's signature (401): check omnibot_callback_secret and the clocks")
    if status == 409:
        raise WorkflowFailure("workflow_failed", "the run is no longer pending in its conversation (credentials 409)")
    if status >= 300:
        raise WorkflowFailure("workflow_failed", f"credentials request answered {status}", retryable=status >= 500)
    try:
        token = response.json().get("token")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise WorkflowFailure("workflow_failed", "credentials answer without a token")
    mask(token)
    return token


def cmms_client_for(conf: dict, settings, secret: Callable[[], str], timeout: float) -> CmmsClient:
    """The run's CMMS client: the linked user's (their token, no login) when `conf.acting_as` is set,
    else the service account's. `settings` is settings.cmms_settings(); `secret` the callback secret."""
    base = api_base(settings.url, settings.api_prefix)
    if acting_as(conf) is None:
        return CmmsClient(base, settings.token, timeout=timeout, login=settings.login)
    url = str(conf.get("credentials_url") or "").strip()
    if not url:
        raise WorkflowFailure("config_missing", "conf.acting_as is set without conf.credentials_url")
    token = fetch_user_token(
        url,
        secret(),
        conversation_id=str(conf.get("conversation_id") or ""),
        run_id=str(conf.get("run_id") or ""),
        timeout=timeout,
    )
    log.info("acting as CMMS user %s", acting_as(conf).get("cmms_user_id"))
    client = CmmsClient(base, token, timeout=timeout, as_user=True)
    user_id = acting_as(conf).get("cmms_user_id")
    client.acting_user_id = user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    return client
