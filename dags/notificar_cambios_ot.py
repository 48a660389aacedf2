"""omnibot Airflow DAG `notificar_cambios_ot`: tells the gateway which work orders changed state or
technician, so the linked requester and technician (and the technician who lost it) hear it on their
channel.

A scheduled DAG, not a conversation workflow (not in workflows/catalog.json, no conf, no callback):
every NOTIFY_INTERVAL_MINUTES minutes (the Variable omnibot_notify_interval_minutes, else env
NOTIFY_INTERVAL_MINUTES, default 2; read when the file is parsed), no catchup, one run at a time. Its
task `notify` reads every order with the service account (cmms_url, cmms_token and/or
cmms_username/cmms_password, cmms_api_prefix: either CMMS API), compares them with the seen state in the
Variable omnibot_notify_seen (omnibot_common/notify_detect.py: the first run is the baseline and sends
nothing; a record the gateway would refuse is recorded as seen, logged and not sent; each change carries
the order's priority, equipment code and reported problem, and its closing observations without the
assistant's own report note), saves the orders' new sequences and the new changes as pending in that
Variable BEFORE posting, then POSTs every pending change signed with omnibot_callback_secret (with a
fresh `sent_at`) to the Variable omnibot_notify_url (else env OMNIBOT_NOTIFY_URL, else derived from
omnibot_credentials_url) and drops each batch the gateway answered 200 (its `rejected` changes are
final: logged). No answer, a 5xx or a 429 fails the try and Airflow tries again (OMNIBOT_TASK_RETRIES,
OMNIBOT_RETRY_DELAY_SECONDS) with the same change ids, still pending: the gateway tells each chat once.
Its XCom holds only counts; no token is in XCom, logs or conf.

Tuning (env of the scheduler/workers): OMNIBOT_NOTIFY_TIMEOUT_SECONDS (deadline of a POST, default
30), OMNIBOT_NOTIFY_MAX_BODY_BYTES (byte budget of a batch, default 900000: under the route's 1 MiB cap;
a batch refused as too large, 413, is sent again in halves).
"""

from __future__ import annotations

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
    add_pending,
    batches,
    detect_changes,
    encode_state,
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
    """One pass: read, compare, save the new state (with the new changes pending), POST every pending
    change batch by batch, dropping each batch once answered. Only counts are returned."""
    url, secret = notify_url(), callback_secret()  # a missing setting fails before any work
    timeout = float(_env_int("OMNIBOT_NOTIFY_TIMEOUT_SECONDS", 30, 1))
    max_bytes = _env_int("OMNIBOT_NOTIFY_MAX_BODY_BYTES", 900_000, 2_000)
    client = cmms_client_for(
        {}, cmms_settings(), callback_secret, tuning.cmms_timeout_seconds,
        dag_id=DAG_ID, run_id=dag_run_id, credentials_url=credentials_url,
    )
    orders = client.list_work_orders()
    raw = Variable.get(SEEN_VARIABLE, default=None)
    seen = read_seen(raw)
    now = datetime.now(timezone.utc)
    changes, state, skipped = detect_changes(seen, orders, now)
    for bad in skipped:
        log.warning("order %s not sent (change %s): %s", bad["order_id"], bad["change_id"], bad["reason"])
    given_up = add_pending(state, changes, now)
    if given_up:
        log.error("changes given up after a day pending (some chat could not be told): %s", ", ".join(given_up[:50]))
    counts = {
        "orders": len(orders), "changes": len(changes), "baseline": seen is None, "skipped": len(skipped),
        "accepted": 0, "notified": 0, "duplicates": 0, "rejected": 0, "pending": len(state["pending"]),
    }
    if encode_state(state) != raw:
        Variable.set(SEEN_VARIABLE, encode_state(state))  # before any POST: a later state gets a new id
    for batch in batches([entry["change"] for entry in state["pending"]], max_bytes=max_bytes):
        answer = post_changes(url, secret, batch, timeout=timeout)
        for refused in answer["rejected"]:
            log.warning("the gateway refused change %s: %s", refused.get("change_id"), str(refused.get("reason"))[:200])
        sent = {change["change_id"] for change in batch}
        state["pending"] = [entry for entry in state["pending"] if entry["change"]["change_id"] not in sent]
        Variable.set(SEEN_VARIABLE, encode_state(state))
        for key in ("accepted", "notified", "duplicates"):
            counts[key] += answer[key]
        counts["rejected"] += len(answer["rejected"])
    counts["pending"] = len(state["pending"])
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
