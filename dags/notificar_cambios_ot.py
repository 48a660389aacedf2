"""omnibot Airflow DAG `notificar_cambios_ot`: tells the gateway which work orders changed state or
technician, so the linked requester and technician hear it on their channel.

A scheduled DAG, not a conversation workflow (not in workflows/catalog.json, no conf, no callback):
every NOTIFY_INTERVAL_MINUTES minutes (the Variable omnibot_notify_interval_minutes, else env
NOTIFY_INTERVAL_MINUTES, default 2; read when the file is parsed), no catchup, one run at a time. Its
task `notify` reads every order with the service account (cmms_url, cmms_token and/or
cmms_username/cmms_password, cmms_api_prefix: either CMMS API), compares them with the seen state in
the Variable omnibot_notify_seen (omnibot_common/notify.py: the first run is the baseline and sends
nothing), POSTs the changes signed with omnibot_callback_secret to the Variable omnibot_notify_url
(else env OMNIBOT_NOTIFY_URL, else derived from omnibot_credentials_url), then saves the seen state.
No answer, a 5xx or a 429 fails the try and Airflow tries again (OMNIBOT_TASK_RETRIES,
OMNIBOT_RETRY_DELAY_SECONDS) with the same change ids: the gateway tells each chat once. Its XCom
holds only counts; no token is in XCom, logs or conf.

Tuning (env of the scheduler/workers): OMNIBOT_NOTIFY_TIMEOUT_SECONDS (deadline of a POST, default
30), OMNIBOT_NOTIFY_MAX_BODY_BYTES (byte budget of a batch, default 900000: under the route's 1 MiB cap;
a batch refused as too large, 413, is sent again in halves).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta, timezone

from airflow.sdk import DeltaTriggerTimetable, Variable, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from omnibot_common.credentials import cmms_client_for
from omnibot_common.errors import WorkflowFailure
from omnibot_common.notify import (
    DAG_ID,
    SEEN_VARIABLE,
    batches,
    detect_changes,
    interval_minutes,
    notify_url,
    post_changes,
    read_seen,
)
from omnibot_common.settings import callback_secret, cmms_settings, credentials_url, task_tuning

log = logging.getLogger(__name__)
tuning = task_tuning()


def _env_int(name: str, default: int, low: int) -> int:
    raw = os.environ.get(name, "").strip()
    return max(low, int(raw)) if raw.isdigit() else default


def notify_once(dag_run_id: str) -> dict:
    """One pass: read, compare, POST every batch, then save the seen state. Only counts are returned."""
    url, secret = notify_url(), callback_secret()  # a missing setting fails before any work
    timeout = float(_env_int("OMNIBOT_NOTIFY_TIMEOUT_SECONDS", 30, 1))
    max_bytes = _env_int("OMNIBOT_NOTIFY_MAX_BODY_BYTES", 900_000, 2_000)
    client = cmms_client_for(
        {}, cmms_settings(), callback_secret, tuning.cmms_timeout_seconds,
        dag_id=DAG_ID, run_id=dag_run_id, credentials_url=credentials_url,
    )
    orders = client.list_work_orders()
    seen = read_seen(Variable.get(SEEN_VARIABLE, default=None))
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    changes, next_seen = detect_changes(seen, orders, now)
    counts = {"orders": len(orders), "changes": len(changes), "baseline": seen is None, "accepted": 0, "notified": 0, "duplicates": 0}
    for batch in batches(changes, max_bytes=max_bytes):
        answer = post_changes(url, secret, batch, timeout=timeout)
        for key in ("accepted", "notified", "duplicates"):
            value = answer.get(key)
            counts[key] += value if isinstance(value, int) and not isinstance(value, bool) else 0
    if seen is None or changes:
        Variable.set(SEEN_VARIABLE, json.dumps(next_seen, ensure_ascii=False, separators=(",", ":")))
    log.info("work-order changes: %s", counts)
    return counts


@dag(
    dag_id=DAG_ID,
    description="Avisa a los usuarios vinculados los cambios de estado y de técnico de las órdenes de trabajo (scheduled)",
    # A run at each tick (no data interval), the first one as soon as the DAG is unpaused.
    schedule=DeltaTriggerTimetable(timedelta(minutes=interval_minutes())),
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    tags=["omnibot", "scheduled"],
    default_args={"owner": "omnibot", "retries": 0},
)
def notificar_cambios_ot():
    @task(
        task_id="notify",
        retries=tuning.retries,
        retry_delay=timedelta(seconds=tuning.retry_delay_seconds),
        execution_timeout=timedelta(minutes=10),
    )
    def notify() -> dict:
        try:
            return notify_once(str(get_current_context()["dag_run"].run_id))
        except WorkflowFailure as failure:
            if failure.retryable:
                raise
            raise AirflowFailException(f"{failure.code}: {failure.message}") from failure

    notify()


dag = notificar_cambios_ot()
