"""Builds one omnibot workflow DAG: task `result` (the CMMS work, with retries; its XCom
`return_value` is the workflow result) then task `callback` (trigger rule all_done: runs on success
and on failure, POSTs the signed result to `conf.callback_url`).

conf = {conversation_id, run_id, callback_url, params, acting_as?, credentials_url?}. With
`acting_as` the CMMS calls carry the linked user's own token, fetched from the gateway's credential
endpoint with a request signed for this DAG run's own run_id and dag_id (credentials.py; the token is
never in conf, XCom or the logs); without it, the service account's. A user-only workflow (catalog
`actsAs: user`) without `acting_as` ends as identity_expired before any CMMS call. A failed
`result` ends the run as failed after the callback reported it; a lost callback does not fail a
successful run (the gateway can read the result back from XCom).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowTaskTimeout

from .callback import build_payload, post_callback
from .catalog import invalid_parameters, normalize_parameters, requires_user, run_timeout_seconds, workflow as catalog_entry
from .credentials import acting_as, cmms_client_for
from .errors import WorkflowFailure
from .settings import callback_secret, cmms_settings, credentials_url, task_tuning
from .workflows import Workflow

RESULT_TASK_ID = "result"
CALLBACK_TASK_ID = "callback"
ERROR_XCOM_KEY = "error"
log = logging.getLogger(__name__)


def _conf() -> dict:
    conf = get_current_context()["dag_run"].conf
    return dict(conf) if isinstance(conf, dict) else {}


def _cmms_client(conf: dict, timeout: float, *, dag_id: str, run_id: str):
    """The linked user's client (conf.acting_as: their token from the credential endpoint, asked for
    this DAG run: its own `dag_id` and `dag_run.run_id`), else the service account's."""
    return cmms_client_for(
        conf,
        cmms_settings(),
        callback_secret,
        timeout,
        dag_id=dag_id,
        run_id=run_id,
        credentials_url=credentials_url,
    )


def build_workflow_dag(dag_id: str, workflow: Workflow):
    """`dag_id` must be a workflow catalog id: the description and the required parameters come from there."""
    entry = catalog_entry(dag_id)
    names = [p["name"] for p in entry["parameters"]]
    description = f"{entry['description']} ({'params: ' + ', '.join(names) if names else 'no params'})"
    tuning = task_tuning()

    @dag(
        dag_id=dag_id,
        description=description,
        schedule=None,
        catchup=False,
        max_active_runs=32,
        tags=["omnibot"],
        default_args={"owner": "omnibot", "retries": 0},
    )
    def omnibot_workflow():
        @task(
            task_id=RESULT_TASK_ID,
            retries=tuning.retries,
            retry_delay=timedelta(seconds=tuning.retry_delay_seconds),
            # The catalog's, as the in-process runner's deadline: past it the run ends as workflow_timeout.
            execution_timeout=timedelta(seconds=run_timeout_seconds()),
        )
        def result() -> dict:
            context = get_current_context()
            ti = context["ti"]
            conf = _conf()
            raw_params = conf.get("params")
            params = dict(raw_params) if isinstance(raw_params, dict) else {}
            # A retry (try_number > 1) may follow an attempt that already wrote to the CMMS.
            dag_run = context["dag_run"]
            run = {
                "run_id": str(conf.get("run_id") or dag_run.run_id),
                "attempt": int(ti.try_number or 1),
                "started_at": getattr(dag_run, "start_date", None),
            }
            try:
                # A user-only workflow never runs as the service account (as the in-process runner).
                if requires_user(dag_id) and acting_as(conf) is None:
                    raise WorkflowFailure("identity_expired", f"{dag_id} runs only as a linked user: the run has no acting_as")
                # The catalog's rule, as the in-process runner checks and normalizes them.
                problem = invalid_parameters(dag_id, params)
                if problem is not None:
                    raise WorkflowFailure("invalid_params", problem)
                # The credential request names this DAG run (never conf's run_id: any conf can be sent).
                client = _cmms_client(conf, tuning.cmms_timeout_seconds, dag_id=dag_id, run_id=str(dag_run.run_id))
                return workflow(client, normalize_parameters(dag_id, params), run=run)
            except AirflowTaskTimeout as exc:
                # A BaseException: `except Exception` would miss it and the callback would say workflow_failed.
                ti.xcom_push(key=ERROR_XCOM_KEY, value={"code": "workflow_timeout", "message": f"workflow run took over its timeout: {exc}"[:300]})
                raise AirflowFailException(f"workflow_timeout: {exc}") from exc
            except WorkflowFailure as failure:
                ti.xcom_push(key=ERROR_XCOM_KEY, value=failure.as_error())
                if failure.retryable:
                    raise
                raise AirflowFailException(f"{failure.code}: {failure.message}") from failure
            except Exception as exc:
                ti.xcom_push(key=ERROR_XCOM_KEY, value={"code": "workflow_error", "message": f"{type(exc).__name__}: {exc}"[:300]})
                raise

        @task(task_id=CALLBACK_TASK_ID, trigger_rule="all_done", retries=0)
        def callback() -> str:
            context = get_current_context()
            ti, dag_run = context["ti"], context["dag_run"]
            value = ti.xcom_pull(task_ids=RESULT_TASK_ID)
            error = None
            if value is None:
                error = ti.xcom_pull(task_ids=RESULT_TASK_ID, key=ERROR_XCOM_KEY) or {
                    "code": "workflow_failed",
                    "message": "the workflow task failed without reporting an error",
                }
            conf = _conf()
            outcome = "no callback_url"
            url = conf.get("callback_url")
            if url:
                payload = build_payload(
                    conversation_id=str(conf.get("conversation_id") or ""),
                    run_id=str(conf.get("run_id") or dag_run.run_id),
                    dag_id=dag_id,
                    result=value,
                    error=error,
                )
                try:
                    outcome = post_callback(
                        str(url),
                        callback_secret(),
                        payload,
                        attempts=tuning.callback_attempts,
                        backoff_seconds=tuning.callback_backoff_seconds,
                    )
                except (RuntimeError, WorkflowFailure) as exc:
                    outcome = "undelivered"
                    log.error("callback not delivered: %s", exc)
            log.info("callback outcome: %s", outcome)
            if error is not None:
                raise AirflowFailException(f"workflow failed: {error.get('code')}: {error.get('message')}")
            return outcome

        result() >> callback()

    return omnibot_workflow()
