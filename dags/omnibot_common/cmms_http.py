"""One exchange with the CMMS, as core/cmms/client.ts makes it: `Authorization: Token <key>`, the
service account's login (cmms_login.py: when there is no token, and again once when a call's token is
refused), a read answered busy (408, 429) asked again after its Retry-After, and a failed call as a
WorkflowFailure with the catalog's code for its status (cmms_error_code). With a user's own token
(`as_user`, a run acting for a linked user: credentials.py) there is never a login, and the user's
401 is identity_expired, their 403 not_allowed (the catalog's `cmmsFailures.asUser`)."""

from __future__ import annotations

import time

import requests

from .catalog import cmms_error_code
from .cmms_login import CmmsLogin, refused_login, token_of
from .cmms_v2 import error_message, error_text, login_user_id
from .errors import WorkflowFailure
from .retry import BUSY_STATUSES, _backoff, _retry_after

BUSY_RETRIES = 2  # as the in-process client's default `retries`


def _detail(response: requests.Response) -> str:
    """The refusal's message, either API's shape, one log-safe line (cmms_v2.error_message)."""
    try:
        body = response.json()
    except ValueError:
        return error_text(response.text or "")
    return error_message(body) or error_text(str(body))


class CmmsHttp:
    """The exchanges of a CmmsClient: its session carries `Authorization: Token <key>` once it has one."""

    def __init__(
        self,
        token: str | None = None,
        *,
        timeout: float = 15.0,
        session: requests.Session | None = None,
        login: CmmsLogin | None = None,
        as_user: bool = False,
    ):
        if as_user and login is not None:
            raise ValueError("a client acting as a user never logs in as the service account")
        self.as_user = as_user
        self.login = login
        self.acting_user_id: int | None = None  # whoever acts: a linked user's id, or the service account's (its login)
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["Accept"] = "application/json"
        if token:
            self._use_token(token)

    def _use_token(self, token: str) -> None:
        self.session.headers["Authorization"] = f"Token {token}"

    def _log_in(self) -> None:
        """POST the service account to `{CMMS_URL}/api/login/` without the (refused) token: DRF answers
        401 to an unknown token on every route, the login's too."""
        try:
            answer = self._call("POST", self.login.url, json=self.login.body(), idempotent=True, anonymous=True)
        except WorkflowFailure as failure:
            raise refused_login(failure) from None
        self._use_token(token_of(answer))
        self.acting_user_id = login_user_id(answer) or self.acting_user_id

    def request(self, method: str, url: str, *, json: dict | None = None, idempotent: bool = True) -> object:
        """A CMMS call; with a service account, logged in first when there is no token, and made once
        more after logging in again when its token is refused (401: nothing was applied)."""
        if self.login is not None and "Authorization" not in self.session.headers:
            self._log_in()
        try:
            return self._call(method, url, json=json, idempotent=idempotent)
        except WorkflowFailure as failure:
            if failure.status != 401 or self.login is None:
                raise
        self._log_in()
        return self._call(method, url, json=json, idempotent=idempotent)

    def _call(self, method: str, url: str, *, json: dict | None = None, idempotent: bool = True, anonymous: bool = False) -> object:
        """A non-idempotent call (creating an order) is retried only when it surely never reached the
        CMMS: after a read timeout or a 5xx the order may exist, and a retry would create a second one.
        A GET answered busy (408, 429) is asked again here, after its Retry-After (else a backoff)."""
        for retry in range(1, BUSY_RETRIES + 2):
            response = self._send(method, url, json=json, idempotent=idempotent, anonymous=anonymous)
            if method != "GET" or response.status_code not in BUSY_STATUSES or retry > BUSY_RETRIES:
                break
            wait = _retry_after(getattr(response, "headers", None) or {})
            if wait is False:
                break
            time.sleep(_backoff(retry) if wait is None else wait)
        return self._answer(method, url, response, idempotent)

    def _send(self, method: str, url: str, *, json: dict | None, idempotent: bool, anonymous: bool = False) -> requests.Response:
        # requests drops a session header set to None for this request only.
        without_token = {"headers": {"Authorization": None}} if anonymous else {}
        try:
            return self.session.request(method, url, json=json, timeout=self.timeout, **without_token)
        except requests.RequestException as exc:
            raise WorkflowFailure(
                cmms_error_code(None),
                f"CMMS unreachable ({method} {url}): {type(exc).__name__}",
                retryable=idempotent or _not_sent(exc),
            ) from exc

    def _answer(self, method: str, url: str, response: requests.Response, idempotent: bool) -> object:
        status = response.status_code
        if status >= 400:
            # The code by status comes from the catalog, as the in-process runner's (cmmsErrorCode).
            message = (
                f"CMMS answered {status} to {method} {url}"
                if status >= 500
                else f"CMMS refused {method} {url} ({status}): {_detail(response)}"
            )
            # A busy CMMS did not process the call: trying the task again is safe.
            retryable = status in BUSY_STATUSES or (status >= 500 and idempotent)
            code = cmms_error_code(status, as_user=self.as_user)
            raise WorkflowFailure(code, message, retryable=retryable, status=status)
        try:
            return response.json()
        except ValueError as exc:
            raise WorkflowFailure(cmms_error_code(bad_response=True), f"CMMS answered non-JSON to {method} {url}") from exc


def _not_sent(exc: requests.RequestException) -> bool:
    """True when the request never reached the server (no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return isinstance(exc, requests.exceptions.ConnectionError) and (
        "NewConnectionError" in repr(exc) or "Failed to establish" in str(exc)
    )
