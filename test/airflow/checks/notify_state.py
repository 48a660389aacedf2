"""The state notificar_cambios_ot keeps between runs (the Variable omnibot_notify_seen: seen orders and
pending changes) and the texts it sends: the state is saved before anything is posted, a later state of an
order gets a new id even while an earlier one is still pending, a new baseline never reuses an id, a bad
CMMS record is recorded as seen and not sent, a change the gateway rejects is dropped for good, and every
try builds and signs its body anew. No network, no running Airflow (a fake Variable, CMMS and gateway)."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta, timezone

from .support import check_of, dag_module

check = check_of("checks.notify")

DAG_ID = "notificar_cambios_ot"
SEEN = "omnibot_notify_seen"
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


def _order(order_id, state, technician=None, **more):
    return {"idordentrabajo": order_id, "numeroot": f"OT-{order_id}", "equipo_nombre": "Excavadora CAT 320",
            "estado_nombre": state, "idtecnicoasignado": technician, "idsolicitante": 3, **more}


class _Logs(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


class _Dag:
    """The DAG module over a fake Variable store, CMMS, clock and gateway. `gateway(batch)` answers a
    POST: a dict (200) or a status (503...); every POST's parsed body is kept in `posts`."""

    def __init__(self, gateway):
        from omnibot_common import notify

        self.module = dag_module(DAG_ID)
        self.variables: dict[str, str] = {}
        self.orders: list[dict] = []
        self.posts: list[dict] = []
        self.now = T0
        self.saves: list[tuple[int, dict]] = []  # (POSTs made before this save, the state saved)
        dag = self

        class FakeVariable:
            @staticmethod
            def get(key, default=None):
                return dag.variables.get(key, default)

            @staticmethod
            def set(key, value):
                dag.variables[key] = value
                dag.saves.append((len(dag.posts), json.loads(value)))

        class FakeClient:
            def list_work_orders(self):
                return list(dag.orders)

        class FakeResponse:
            def __init__(self, answer):
                self.status_code = 200 if isinstance(answer, dict) else answer
                self._answer, self.headers, self.text = answer, {}, json.dumps(answer)

            def json(self):
                return self._answer

        def post(url, data, headers, timeout):
            body = json.loads(data)
            dag.posts.append(body)
            return FakeResponse(gateway(body["changes"]))

        class Clock(datetime):
            @classmethod
            def now(cls, tz=None):
                return dag.now

        real_post_changes = notify.post_changes
        self.module.Variable = FakeVariable
        self.module.datetime = Clock
        self.module.notify_url = lambda: "http://gw/api/bot/notify"
        self.module.callback_secret = lambda: "s"
        self.module.cmms_settings = lambda: None
        self.module.cmms_client_for = lambda *args, **kwargs: FakeClient()
        self.module.post_changes = lambda url, secret, batch, timeout: real_post_changes(
            url, secret, batch, timeout=timeout, post=post, clock=lambda: dag.now
        )
        self.logs = _Logs()
        logging.getLogger(self.module.__name__).addHandler(self.logs)

    def run(self):
        return self.module.notify_once("scheduled__x")

    def state(self) -> dict:
        return json.loads(self.variables[SEEN])

    def sent_ids(self) -> list[list[str]]:
        return [[c["change_id"] for c in body["changes"]] for body in self.posts]


def _told(batch):
    return {"accepted": len(batch), "notified": len(batch), "duplicates": 0, "rejected": []}


def _unavailable_first(times: int):
    """A gateway answering 503 to the first `times` POSTs, then telling every change."""
    left = {"times": times}

    def gateway(batch):
        if left["times"] > 0:
            left["times"] -= 1
            return 503
        return _told(batch)

    return gateway, left


@check
def the_state_is_saved_before_posting_and_a_failed_batch_stays_pending_for_the_retry():
    from omnibot_common.errors import WorkflowFailure

    gateway, failing = _unavailable_first(0)
    dag = _Dag(gateway)
    os.environ["OMNIBOT_NOTIFY_MAX_BODY_BYTES"] = "2000"  # a few changes per batch
    try:
        dag.orders = [_order(i, "Abierta") for i in range(1, 4)]
        assert dag.run()["baseline"] and dag.posts == []
        epoch = dag.state()["orders"]["1"]["seq"]
        dag.orders = [_order(i, "Cancelada") for i in range(1, 21)]
        failing["times"] = 1
        dag.now = T0 + timedelta(minutes=2)
        try:
            dag.run()
        except WorkflowFailure as raised:
            assert raised.retryable
        else:
            raise AssertionError("a failed batch must fail the try")
        # Saved before the first POST: the new sequences and all 20 changes pending.
        posts_before, first_save = dag.saves[1]
        assert posts_before == 0 and len(first_save["pending"]) == 20
        assert first_save["orders"]["4"]["seq"] == epoch + 1
        # Airflow's retry, minutes later: the same ids again, in a body signed anew with its own sent_at.
        dag.now = T0 + timedelta(minutes=13)
        counts = dag.run()
        assert counts["changes"] == 0 and counts["accepted"] == 20 and counts["pending"] == 0
        assert dag.sent_ids()[1] == dag.sent_ids()[0]
        assert dag.posts[0]["sent_at"] == "2026-12-01T10:02:00.000Z" and dag.posts[1]["sent_at"] == "2026-12-01T10:13:00.000Z"
        assert dag.state()["pending"] == [] and dag.state()["orders"]["1"]["state"] == "Cancelada"
        before = len(dag.posts)
        assert dag.run()["changes"] == 0 and len(dag.posts) == before  # nothing new, nothing pending: no POST
    finally:
        os.environ.pop("OMNIBOT_NOTIFY_MAX_BODY_BYTES", None)


@check
def a_later_state_gets_a_new_id_while_the_earlier_one_is_still_pending():
    from omnibot_common.errors import WorkflowFailure

    gateway, _ = _unavailable_first(1)
    dag = _Dag(gateway)
    dag.orders = [_order(12, "Abierta", 10)]
    dag.run()
    epoch = dag.state()["orders"]["12"]["seq"]
    dag.orders = [_order(12, "En Progreso", 10)]
    try:
        dag.run()
    except WorkflowFailure:
        pass
    dag.orders = [_order(12, "Completada", 10)]  # completed before the next run
    dag.run()
    assert dag.sent_ids() == [[f"12:{epoch + 1}"], [f"12:{epoch + 1}", f"12:{epoch + 2}"]]
    assert [c["state"] for c in dag.posts[-1]["changes"]] == ["En Progreso", "Completada"]
    assert dag.posts[-1]["changes"][1]["previous_state"] == "En Progreso"


@check
def a_new_baseline_never_reuses_a_change_id():
    dag = _Dag(_told)
    dag.orders = [_order(12, "Abierta")]
    dag.run()
    dag.orders = [_order(12, "Asignada")]
    dag.run()
    first = dag.sent_ids()[-1]
    dag.variables.pop(SEEN)  # the Variable deleted (or the gateway's poller used meanwhile)
    dag.now = T0 + timedelta(hours=1)
    dag.orders = [_order(12, "Abierta")]
    assert dag.run()["baseline"]
    dag.orders = [_order(12, "Asignada")]
    dag.run()
    again = dag.sent_ids()[-1]
    assert first != again and int(again[0].split(":")[1]) > int(first[0].split(":")[1])


@check
def a_bad_record_is_recorded_as_seen_and_logged_and_a_rejected_change_is_dropped():
    answers = []
    dag = _Dag(lambda batch: answers.pop(0) if answers else _told(batch))
    long = "OT-" + "9" * 120
    dag.orders = [_order(12, "Abierta"), _order(13, "Abierta", numeroot=long), _order(2**53, "Abierta"), _order(14, "Abierta")]
    dag.run()
    dag.orders = [_order(12, "Asignada"), _order(13, "Asignada", numeroot=long), _order(2**53, "Asignada"), _order(14, "Asignada")]
    answers.append({"accepted": 1, "notified": 1, "duplicates": 0,
                    "rejected": [{"index": 1, "change_id": "14:x", "reason": "equipment: equipment must be a string"}]})
    counts = dag.run()
    # Orders 13 (number too long) and 2^53 (id past JS's safe integers) are not sent, but recorded as seen.
    assert [c["order_id"] for c in dag.posts[-1]["changes"]] == [12, 14]
    assert counts["skipped"] == 2 and counts["rejected"] == 1 and counts["pending"] == 0
    state = dag.state()
    assert state["orders"]["13"]["state"] == "Asignada" and state["orders"][str(2**53)]["state"] == "Asignada"
    assert state["pending"] == []  # the rejected change is final: not sent again
    assert sum("number exceeds 100 characters" in line for line in dag.logs.lines) == 1
    assert any(f"order {2**53} not sent" in line for line in dag.logs.lines)
    assert any("refused change 14:x" in line for line in dag.logs.lines)
    before = len(dag.posts)
    dag.run()
    assert len(dag.posts) == before


@check
def a_change_pending_for_more_than_a_day_is_given_up():
    from omnibot_common.errors import WorkflowFailure

    dag = _Dag(lambda batch: 503)
    dag.orders = [_order(12, "Abierta")]
    dag.run()
    dag.orders = [_order(12, "Asignada")]
    for hours in (0, 23):
        dag.now = T0 + timedelta(hours=hours)
        try:
            dag.run()
        except WorkflowFailure:
            pass
    assert len(dag.state()["pending"]) == 1
    dag.now = T0 + timedelta(hours=25)
    assert dag.run()["pending"] == 0 and dag.state()["pending"] == []
    assert any("given up" in line for line in dag.logs.lines)


@check
def texts_are_sent_as_one_clean_line_within_their_bounds():
    from omnibot_common.notify import encode_body
    from omnibot_common.notify_detect import detect_changes, one_line, utf16_length

    assert one_line("\ufeff OT-1\u202e\r\n\tB\u200bot: hola  ", 100) == "OT-1 Bot: hola"
    assert one_line("a\u0085b\u2028c\u3164d", 100) == "a b cd"
    assert one_line("x" * 10, 5) == "xxxx…" and one_line("ab  " + "c" * 10, 4) == "ab…"
    assert one_line("\ud800ok", 10) == "?ok"  # a lone surrogate, as the body will carry it
    assert utf16_length("😀" * 60) == 120
    _, seen, _ = detect_changes(None, [_order(12, "Abierta")], T0)
    changes, _, skipped = detect_changes(
        seen,
        [_order(12, "Completada\n", 10, tecnico_nombre="Juan\u2029Pérez", equipo_nombre="CAT\u202e320\ud800",
                observacionesfinales="Listo.\nAsistente: " + "z" * 3000),
         _order(13, "Abierta", numeroot="😀" * 60)],
        T0,
    )
    assert [s["order_id"] for s in skipped] == [13]  # 60 characters, but 120 UTF-16 units: too long for the gateway
    change = changes[0]
    assert (change["state"], change["technician_name"], change["equipment"]) == ("Completada", "Juan Pérez", "CAT320?")
    assert change["observations"].startswith("Listo. Asistente: z") and len(change["observations"]) == 2000
    encode_body({"changes": changes})  # encodes (no lone surrogate left to fail on)
