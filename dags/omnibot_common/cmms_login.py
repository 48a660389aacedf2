"""The DAGs' CMMS service account: a username and password (Airflow Variables cmms_username and
cmms_password) that CmmsClient logs in with when it has no token, and again, once per call, when its
token is refused with a 401 (a CMMS logout deletes the token). As core/cmms/client.ts: the login is
`POST {CMMS_URL}/api/login/` whatever the API prefix (the later CMMS keeps it there under
`/api/v2/`), a refused login (a 4xx but a busy one) is `cmms_auth`, an answer without a token a bad
response. The password and the token it gets are never logged (the token is masked in Airflow logs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import cmms_error_code
from .errors import WorkflowFailure
from .retry import BUSY_STATUSES

LOGIN_PATH = "/api/login/"  # as core/cmms/routes.ts CMMS_LOGIN_PATH, relative to CMMS_URL


def login_url(cmms_url: str) -> str:
    """`{cmms_url}/api/login/`, whatever `cmms_api_prefix` is."""
    return cmms_url.rstrip("/") + LOGIN_PATH


@dataclass(frozen=True)
class CmmsLogin:
    """Where and as whom to log in; `repr` never shows the password."""

    url: str
    username: str
    password: str = field(repr=False)

    def body(self) -> dict:
        return {"username": self.username, "password": self.password}


def refused_login(failure: WorkflowFailure) -> WorkflowFailure:
    """A refused login is a 401 (`cmms_auth`), not retried; no answer, a 5xx or a busy answer stay as they are."""
    status = failure.status
    if status is None or status >= 500 or status in BUSY_STATUSES:
        return failure
    return WorkflowFailure(cmms_error_code(401), f"CMMS refused the login ({status})", status=401)


def token_of(answer: object) -> str:
    """The login answer's token (`{token, user, rol, message}`); without one it is a bad response."""
    token = answer.get("token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise WorkflowFailure(cmms_error_code(bad_response=True), "CMMS login answered without a token")
    mask(token)
    return token


def mask(secret: str) -> None:
    """Masks a secret in the Airflow task logs (a no-op outside Airflow)."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:
        return
    mask_secret(secret)
