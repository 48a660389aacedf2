"""Configuration of the DAGs.

Run-time settings are Airflow Variables (also settable as env `AIRFLOW_VAR_<KEY upper>`):
  cmms_url                 CMMS origin, e.g. http://cmms:8000 (required)
  cmms_token               DRF token, sent as `Authorization: Token <key>` (required for equipos/)
  cmms_username            service account, with cmms_password: logged in at `{cmms_url}/api/login/`
  cmms_password            when there is no token and again when the token is refused (401)
  cmms_api_prefix          API prefix, default `/api/` (`/api/v2/` for the later CMMS version)
  omnibot_callback_secret  HMAC secret shared with the gateway's CALLBACK_SECRET (required)
  omnibot_credentials_url  the gateway's `{PUBLIC_URL}/api/bot/credentials`, where a run acting for a
                           linked user fetches their token; when set it wins over the run's
                           `conf.credentials_url` (recommended: whoever can trigger a DAG with a conf
                           then cannot point the signed credential request elsewhere)

Task tuning comes from the process env of the scheduler/workers (read when the DAG file is parsed):
  OMNIBOT_TASK_RETRIES             Airflow retries of the CMMS task (default 2)
  OMNIBOT_RETRY_DELAY_SECONDS      delay between those retries (default 10)
  OMNIBOT_CMMS_TIMEOUT_SECONDS     per-request CMMS timeout (default 15)
  OMNIBOT_CALLBACK_ATTEMPTS        callback POST attempts on network errors/5xx (default 5)
  OMNIBOT_CALLBACK_BACKOFF_SECONDS first backoff between callback attempts, doubled each time (default 1)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .cmms_login import CmmsLogin, login_url
from .errors import WorkflowFailure


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        return default


@dataclass(frozen=True)
class TaskTuning:
    retries: int
    retry_delay_seconds: float
    cmms_timeout_seconds: float
    callback_attempts: int
    callback_backoff_seconds: float


def task_tuning() -> TaskTuning:
    return TaskTuning(
        retries=max(0, int(_env_number("OMNIBOT_TASK_RETRIES", 2))),
        retry_delay_seconds=max(0.0, _env_number("OMNIBOT_RETRY_DELAY_SECONDS", 10)),
        cmms_timeout_seconds=max(1.0, _env_number("OMNIBOT_CMMS_TIMEOUT_SECONDS", 15)),
        callback_attempts=max(1, int(_env_number("OMNIBOT_CALLBACK_ATTEMPTS", 5))),
        callback_backoff_seconds=max(0.0, _env_number("OMNIBOT_CALLBACK_BACKOFF_SECONDS", 1)),
    )


def _variable(key: str, default: str | None = None) -> str | None:
    """A Variable's trimmed value. Airflow masks in its logs the values of Variables whose names hold
    `token`, `password` or `secret` (cmms_token, cmms_password, omnibot_callback_secret)."""
    from airflow.sdk import Variable

    value = Variable.get(key, default=default)
    if value is None:
        return None
    value = str(value).strip()
    return value or default


@dataclass(frozen=True)
class CmmsSettings:
    url: str
    token: str | None = field(repr=False)
    api_prefix: str
    login: CmmsLogin | None = None  # the service account, when cmms_username and cmms_password are set


def cmms_settings() -> CmmsSettings:
    url = _variable("cmms_url")
    if not url:
        raise WorkflowFailure("config_missing", "Airflow Variable cmms_url (AIRFLOW_VAR_CMMS_URL) is not set")
    username, password = _variable("cmms_username"), _variable("cmms_password")
    if bool(username) != bool(password):
        raise WorkflowFailure(
            "config_missing",
            "Airflow Variables cmms_username and cmms_password (AIRFLOW_VAR_CMMS_USERNAME, AIRFLOW_VAR_CMMS_PASSWORD) go together: one is not set",
        )
    return CmmsSettings(
        url=url,
        token=_variable("cmms_token"),
        api_prefix=_variable("cmms_api_prefix", "/api/") or "/api/",
        login=CmmsLogin(login_url(url), username, password) if username and password else None,
    )


def callback_secret() -> str:
    secret = _variable("omnibot_callback_secret")
    if not secret:
        raise WorkflowFailure(
            "config_missing",
            "Airflow Variable omnibot_callback_secret (AIRFLOW_VAR_OMNIBOT_CALLBACK_SECRET) is not set",
        )
    return secret


def credentials_url(conf: dict) -> str | None:
    """Where a run acting for a linked user asks for their token: the Variable omnibot_credentials_url
    when set, else the run's conf.credentials_url; None when neither is."""
    configured = _variable("omnibot_credentials_url")
    if configured:
        return configured
    url = str(conf.get("credentials_url") or "").strip()
    return url or None
