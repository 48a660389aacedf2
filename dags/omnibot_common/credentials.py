"""A run acting for a linked user: its CMMS client carries that user's own token, fetched from the
gateway, never from the dag conf (which holds only `acting_as {cmms_user_id, username}` and
`credentials_url`).

The request is `POST <credentials url>` with the body `{conversation_id, run_id, dag_id, cmms_user_id,
ts}` (ts: unix seconds), signed as the callback (`X-Omnibot-Signature: sha256=<HMAC(callback secret,
raw body)>`). `run_id` and `dag_id` are the DAG run's OWN (`dag_run.run_id`, the DAG's id), never the
conf's: Airflow refuses a second run with the same (dag_id, run_id), so whoever can trigger a DAG with a
conf cannot mint a signed request for another conversation's pending run. `cmms_user_id` is
`conf.acting_as.cmms_user_id`: the gateway hands the token only while the run is the conversation's
pending one, of this DAG, and the live link is still that CMMS user's. The URL is the Airflow Variable
`omnibot_credentials_url` when set, else `conf.credentials_url` (settings.credentials_url).

The gateway answers 200 `{token}`; 403 when the link is gone, expired or another user's
(identity_expired: the user is asked to link again); 401 for a bad signature or a clock more than 60 s
off; 409 when the run is no longer pending there.

The token is masked in the Airflow logs at once, never logged, never returned (nor put in XCom): it
lives in the client's session only. That client never logs in as the service account: a 401 with the
user's token is identity_expired, a 403 not_allowed (cmms_http.py). Without `acting_as` the run uses
the service account (settings.py: cmms_token and/or cmms_username/cmms_password); a user-only workflow
(catalog `actsAs: user`) refuses to run without it (dag_factory.py).
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
    dag_id: str,
    cmms_user_id: int,
    timeout: float = 10.0,
    now: Callable[[], float] = time.time,
) -> str:
    """The linked user's CMMS token from the gateway (masked before it is returned). `run_id` and
    `dag_id` must be the DAG run's own, `cmms_user_id` the user the run acts for."""
    body = encode_body(
        {
            "conversation_id": conversation_id,
            "run_id": run_id,
            "dag_id": dag_id,
            "cmms_user_id": cmms_user_id,
            "ts": int(now()),
        }
    )
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


def _user_id(who: dict) -> int:
    user_id = who.get("cmms_user_id")
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id < 1:
        raise WorkflowFailure("config_missing", "conf.acting_as.cmms_user_id is not a positive integer")
    return user_id


def cmms_client_for(
    conf: dict,
    settings,
    secret: Callable[[], str],
    timeout: float,
    *,
    dag_id: str,
    run_id: str,
    credentials_url: Callable[[dict], str | None],
) -> CmmsClient:
    """The run's CMMS client: the linked user's (their token, no login) when `conf.acting_as` is set,
    else the service account's. `settings` is settings.cmms_settings(); `secret` the callback secret;
    `dag_id`/`run_id` the DAG run's own (never conf's); `credentials_url` settings.credentials_url."""
    base = api_base(settings.url, settings.api_prefix)
    who = acting_as(conf)
    if who is None:
        return CmmsClient(base, settings.token, timeout=timeout, login=settings.login)
    user_id = _user_id(who)
    url = credentials_url(conf)
    if not url:
        raise WorkflowFailure(
            "config_missing",
            "conf.acting_as is set without a credentials URL (Variable omnibot_credentials_url or conf.credentials_url)",
        )
    token = fetch_user_token(
        url,
        secret(),
        conversation_id=str(conf.get("conversation_id") or ""),
        run_id=run_id,
        dag_id=dag_id,
        cmms_user_id=user_id,
        timeout=timeout,
    )
    log.info("acting as CMMS user %s", user_id)
    client = CmmsClient(base, token, timeout=timeout, as_user=True)
    client.acting_user_id = user_id
    return client
