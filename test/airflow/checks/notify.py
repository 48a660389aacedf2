"""The scheduled DAG notificar_cambios_ot (dags/notificar_cambios_ot.py, omnibot_common/notify.py): its
schedule and settings, the detection of changes (baseline, new order, state or technician change, ids
starting at the baseline's time), the batches, the signed POST and its failures. The state kept between
runs, the texts as the gateway takes them: notify_state.py. No network, no running Airflow."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import requests

from . import notify_details, notify_state  # noqa: F401 - their checks run in this concern's turn
from .support import DAGS, SCHEDULED_DAGS, check

DAG_ID = "notificar_cambios_ot"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
NOW_ISO = "2026-12-01T10:00:00.000Z"
LATER = NOW + timedelta(minutes=5)
EPOCH = 1796119200000  # NOW in ms: where the baseline's sequences start


def _order(order_id, state, technician=None, name=None, **more):
    return {
        "idordentrabajo": order_id,
        "numeroot": f"OT-{order_id}",
        "equipo_nombre": "Excavadora CAT 320",
        "estado_nombre": state,
        "idtecnicoasignado": technician,
        "tecnico_nombre": name,
        "idsolicitante": 3,
        **more,
    }


class _Logs(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _captured(fn):
    from omnibot_common import notify

    handler = _Logs()
    notify.log.addHandler(handler)
    try:
        return fn(), handler.lines
    finally:
        notify.log.removeHandler(handler)


@check
def the_dag_is_scheduled_one_run_at_a_time_with_one_task():
    from airflow.dag_processing.dagbag import DagBag
    from omnibot_common.notify import interval_minutes
    from omnibot_common.settings import task_tuning

    assert SCHEDULED_DAGS == {DAG_ID}
    bag = DagBag(dag_folder=str(DAGS / f"{DAG_ID}.py"))
    assert not bag.import_errors, bag.import_errors
    dag = bag.dags[DAG_ID]
    assert dag.timetable.delta == timedelta(minutes=interval_minutes()), dag.timetable
    assert dag.catchup is False and dag.max_active_runs == 1
    assert [t.task_id for t in dag.tasks] == ["notify"]
    assert dag.tasks[0].retries == task_tuning().retries
    source = (DAGS / f"{DAG_ID}.py").read_text(encoding="utf-8").lower()
    assert "airflow" in source and "dag" in source  # Airflow's safe mode parses only files naming both


@check
def the_interval_is_read_from_env_when_the_file_is_parsed_even_without_the_catalog():
    script = "\n".join(
        [
            "import importlib.util, logging, sys",
            "logging.basicConfig(level=logging.WARNING, stream=sys.stderr)",
            f"sys.path.insert(0, {str(DAGS)!r})",
            f"spec = importlib.util.spec_from_file_location('n', {str(DAGS / (DAG_ID + '.py'))!r})",
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)",
            "print(module.dag.timetable.delta)",
        ]
    )
    env = {k: v for k, v in os.environ.items() if k != "NOTIFY_INTERVAL_MINUTES"}
    # No catalog: importing the DAG file must not read it (a missing catalog breaks no DAG).
    env["OMNIBOT_WORKFLOW_CATALOG"] = "/nonexistent/catalog.json"
    done = subprocess.run([sys.executable, "-c", script], env={**env, "NOTIFY_INTERVAL_MINUTES": "7"}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith("0:07:00"), (done.stdout, done.stderr[-2000:])


@check
def interval_and_url_settings():
    from omnibot_common.errors import WorkflowFailure
    from omnibot_common.notify import interval_minutes, notify_url

    none = lambda key: None  # noqa: E731
    assert interval_minutes({}, none) == 2
    assert interval_minutes({"NOTIFY_INTERVAL_MINUTES": " 5 "}, none) == 5
    assert interval_minutes({"NOTIFY_INTERVAL_MINUTES": "5"}, lambda key: "9") == 9  # the Variable wins
    for bad in ("0", "-3", "1.5", "abc", "1441"):
        value, lines = _captured(lambda bad=bad: interval_minutes({"NOTIFY_INTERVAL_MINUTES": bad}, none))
        assert value == 2 and any("NOTIFY_INTERVAL_MINUTES" in line and "using 2" in line for line in lines), (bad, lines)

    def broken(key):
        raise RuntimeError("no metadata database")

    assert interval_minutes({"NOTIFY_INTERVAL_MINUTES": "4"}, broken) == 4

    variables = {"omnibot_notify_url": "http://gw/api/bot/notify", "omnibot_credentials_url": "http://other/api/bot/credentials"}
    assert notify_url({"OMNIBOT_NOTIFY_URL": "http://env/api/bot/notify"}, variables.get) == "http://gw/api/bot/notify"
    del variables["omnibot_notify_url"]
    assert notify_url({"OMNIBOT_NOTIFY_URL": "http://env/api/bot/notify"}, variables.get) == "http://env/api/bot/notify"
    assert notify_url({}, variables.get) == "http://other/api/bot/notify"
    try:
        notify_url({}, none)
    except WorkflowFailure as failure:
        assert failure.code == "config_missing" and not failure.retryable and "omnibot_notify_url" in failure.message
    else:
        raise AssertionError("no URL must be config_missing")


@check
def the_first_run_is_a_baseline_and_sends_nothing():
    from omnibot_common.notify import detect_changes, read_seen

    orders = [_order(12, "Abierta"), _order(13, "En Progreso", 10, "Juan Pérez")]
    changes, seen, skipped = detect_changes(None, orders, NOW)
    assert changes == [] and skipped == []
    # Every order starts at the baseline's time in ms: a new baseline never reuses a change id.
    assert seen == {
        "baseline_at": "2026-12-01T10:00:00.000Z",
        "orders": {
            "12": {"state": "Abierta", "technician_id": None, "technician_name": None, "seq": EPOCH},
            "13": {"state": "En Progreso", "technician_id": 10, "technician_name": "Juan Pérez", "seq": EPOCH},
        },
        "pending": [],
    }
    assert read_seen(json.dumps(seen)) == seen  # what the Variable holds reads back the same
    assert detect_changes(seen, orders, NOW) == ([], seen, [])  # nothing changed: nothing sent, nothing new to save


@check
def state_technician_and_new_orders_are_changes_with_new_ids():
    from omnibot_common.notify import detect_changes

    _, seen, _ = detect_changes(None, [_order(12, "Abierta"), _order(13, "En Progreso", 10, "Juan Pérez")], NOW)
    now = [
        _order(12, "Asignada", 11, "María González", observacionesfinales="Reportado por Diego"),
        _order(13, "Completada", 10, "Juan Pérez", observacionesfinales="Se cambió el sello"),
        _order(14, "Abierta", None, ""),
    ]
    changes, after, _ = detect_changes(seen, now, NOW)
    assert [c["change_id"] for c in changes] == [f"12:{EPOCH + 1}", f"13:{EPOCH + 1}", f"14:{EPOCH + 1}"]
    assert changes[0] == {
        "change_id": f"12:{EPOCH + 1}", "order_id": 12, "number": "OT-12", "equipment": "Excavadora CAT 320",
        "state": "Asignada", "previous_state": "Abierta", "technician_id": 11, "technician_name": "María González",
        "previous_technician_id": None, "previous_technician_name": None, "requester_id": 3, "observations": None,
        "priority": None, "equipment_code": None, "description": None,
    }
    # Observations are news only when the order was completed.
    assert changes[1]["previous_technician_name"] == "Juan Pérez" and changes[1]["observations"] == "Se cambió el sello"
    assert changes[2]["previous_state"] is None and changes[2]["technician_name"] is None
    # The same seen state and orders give the same changes (detection is pure).
    assert detect_changes(seen, now, LATER)[0] == changes
    # The next change of an order counts on; a technician change alone is a change; the name alone is not.
    later = [_order(12, "Asignada", 12, "Pedro Soto"), _order(13, "Completada", 10, "J. Pérez"), _order(14, "Abierta")]
    changes, again, _ = detect_changes(after, later, NOW)
    assert [(c["change_id"], c["previous_technician_id"], c["technician_id"]) for c in changes] == [(f"12:{EPOCH + 2}", 11, 12)]
    assert again["orders"]["12"]["seq"] == EPOCH + 2 and again["baseline_at"] == "2026-12-01T10:00:00.000Z"


@check
def a_missing_or_repeated_order_and_a_bad_seen_state():
    from omnibot_common.notify import detect_changes, read_seen

    _, seen, _ = detect_changes(None, [_order(12, "Abierta"), _order(13, "Abierta")], NOW)
    # Order 13 missing from one read (a page that shifted) is kept: when it shows again it is no news.
    odd = [{"idordentrabajo": 15, "estado_nombre": "Abierta"}, {"numeroot": "OT-X"}, {"idordentrabajo": True, "numeroot": "OT-Y"}]
    changes, kept, _ = detect_changes(seen, [_order(12, "Abierta"), _order(12, "Cancelada"), *odd], NOW)
    assert changes == [] and "13" in kept["orders"]  # the first of two copies counts; no number or id: no order
    assert set(kept["orders"]) == {"12", "13"}
    assert detect_changes(kept, [_order(12, "Abierta"), _order(13, "Abierta")], NOW)[0] == []
    for raw in (None, "", "  ", "not json", "[]", '{"orders": {"x": {}}}', '{"orders": {"1": {"state": "A", "seq": -1}}}'):
        value, lines = _captured(lambda raw=raw: read_seen(raw))
        assert value is None, raw
        assert (not lines) if raw is None or not raw.strip() else any("new baseline" in line for line in lines), (raw, lines)
    # A state saved before pending changes existed reads as one without any; a broken pending entry is dropped.
    legacy = {"baseline_at": "2026-01-01T00:00:00Z", "orders": {"12": {"state": "A", "technician_id": None, "technician_name": None, "seq": 3}}}
    assert read_seen(json.dumps(legacy)) == {**legacy, "pending": []}
    value, lines = _captured(lambda: read_seen(json.dumps({**legacy, "pending": [{"change": {"change_id": "x"}, "added_at": NOW_ISO}, 7]})))
    assert value["pending"] == [] and any("2 pending entries" in line for line in lines), lines


@check
def batches_hold_at_most_500_changes_within_the_byte_budget():
    from omnibot_common.notify import batches, detect_changes, encode_body

    _, seen, _ = detect_changes(None, [], NOW)
    changes, _, _ = detect_changes(seen, [_order(i, "Abierta") for i in range(1, 1202)], NOW)
    assert [len(b) for b in batches(changes, max_bytes=10**9)] == [500, 500, 201]
    small = batches(changes[:100], max_bytes=5_000)
    assert len(small) > 1 and [c for b in small for c in b] == changes[:100]
    assert all(len(encode_body({"source": DAG_ID, "sent_at": NOW_ISO, "changes": b})) <= 5_000 for b in small)
    assert batches([], max_bytes=5_000) == []


class _Response:
    def __init__(self, status, body=None, headers=None):
        self.status_code, self._body, self.headers = status, body, headers or {}
        self.text = json.dumps(body) if body is not None else ""

    def json(self):
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


def _ok(accepted, notified, duplicates, rejected=()):
    return _Response(200, {"accepted": accepted, "notified": notified, "duplicates": duplicates, "rejected": list(rejected)})


@check
def the_post_is_signed_as_the_callback_and_failures_say_whether_to_try_again():
    from omnibot_common.errors import WorkflowFailure
    from omnibot_common.notify import post_changes

    sent = []
    answers = []

    def post(url, data, headers, timeout):
        sent.append((url, data, headers, timeout))
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    change = {"change_id": "12:1", "order_id": 12, "state": "Completada"}
    answers.append(_ok(1, 2, 0))
    assert post_changes("http://gw/api/bot/notify", "s3cret", [change], timeout=7, post=post, clock=lambda: NOW) == {
        "accepted": 1, "notified": 2, "duplicates": 0, "rejected": [],
    }
    url, body, headers, timeout = sent[-1]
    assert json.loads(body) == {"source": DAG_ID, "sent_at": NOW_ISO, "changes": [change]}
    assert headers["X-Omnibot-Signature"] == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["Content-Type"].startswith("application/json") and timeout[1] == 7

    def failure(answer) -> WorkflowFailure:
        answers.append(answer)
        try:
            post_changes("http://gw/api/bot/notify", "s", [change], post=post)
        except WorkflowFailure as raised:
            return raised
        raise AssertionError(f"{answer!r} must fail")

    busy = failure(_Response(503, {"error": "store_unavailable"}, {"Retry-After": "5"}))
    assert busy.retryable and "503" in busy.message and "Retry-After 5" in busy.message
    assert failure(requests.ConnectionError("refused")).retryable
    assert failure(requests.ReadTimeout("slow")).retryable
    assert failure(_Response(429)).retryable
    refused = failure(_Response(401, {"error": "bad_signature"}))
    assert refused.code == "config_missing" and not refused.retryable and "CALLBACK_SECRET" in refused.message
    stale = failure(_Response(400, {"error": "stale", "message": "sent_at is more than 10 minutes old"}))
    assert not stale.retryable and "sent_at" in stale.message
    # Too large: sent again as halves, the counts added up and each half's refusals at their index in the batch.
    third = {**change, "change_id": "14:1"}
    answers.extend([_Response(413), _ok(1, 1, 0), _Response(413), _ok(0, 0, 0, [{"index": 0, "change_id": "13:1", "reason": "number: …"}]), _Response(413)])
    three = [change, {**change, "change_id": "13:1"}, third]
    answer = post_changes("http://gw/api/bot/notify", "s", three, post=post)
    assert {k: answer[k] for k in ("accepted", "notified", "duplicates")} == {"accepted": 1, "notified": 1, "duplicates": 0}
    assert [(r["index"], r["change_id"]) for r in answer["rejected"]] == [(1, "13:1"), (2, "14:1")]
    assert [len(json.loads(data)["changes"]) for _, data, _, _ in sent[-5:]] == [3, 1, 2, 1, 1]
