"""Checks of dags/ without a running Airflow, run with the Airflow venv's python:
the DagBag imports with no errors and holds every omnibot DAG with the expected tasks, and the
pure helpers (pagination, matching, summaries, sorting, signing) behave. Ends with
'N passed, N failed'; exits non-zero on any failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
CATALOG = json.loads((REPO / "workflows" / "catalog.json").read_text(encoding="utf-8"))
EXPECTED_DAGS = set(CATALOG["workflows"])  # one DAG per workflow of the catalog

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="omnibot-dagcheck-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
sys.path.insert(0, str(DAGS))  # as Airflow does for its dags folder

CHECKS = []


def dag_module(dag_id: str):
    """Imports dags/<dag_id>.py (the workflow's DAG and its function) as Airflow does, by its path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"omnibot_dag_{dag_id}", DAGS / f"{dag_id}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(fn):
    CHECKS.append(fn)
    return fn


class FakeSession:
    """Serves canned pages to CmmsClient (a requests.Session stand-in; no network)."""

    def __init__(self, pages: dict[str, object]):
        self.pages = pages
        self.headers: dict[str, str] = {}
        self.seen: list[str] = []

    def request(self, method, url, json=None, timeout=None):
        self.seen.append(url)
        body = self.pages[url]
        if isinstance(body, Exception):
            raise body
        status = body.status if isinstance(body, Answer) else 200

        class Response:
            status_code = status
            text = ""

            def json(self_inner):
                if isinstance(body, Answer):
                    if body.payload is None:
                        raise ValueError("not JSON")
                    return body.payload
                return body

        return Response()


class Answer:
    """A canned CMMS answer with its status (FakeSession serves a plain value as a 200)."""

    def __init__(self, status: int, payload: object = None):
        self.status, self.payload = status, payload


@check
def dagbag_has_every_dag_without_import_errors():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert not bag.import_errors, bag.import_errors
    assert set(bag.dag_ids) == EXPECTED_DAGS, sorted(bag.dag_ids)
    for dag in bag.dags.values():
        assert dag.description.startswith(CATALOG["workflows"][dag.dag_id]["description"]), dag.description
        assert dag.schedule is None or str(dag.timetable.summary) in ("None", "Never"), dag.dag_id
        tasks = {t.task_id: t for t in dag.tasks}
        assert set(tasks) == {"result", "callback"}, (dag.dag_id, set(tasks))
        assert str(tasks["callback"].trigger_rule) in ("all_done", "TriggerRule.ALL_DONE"), tasks["callback"].trigger_rule
        assert tasks["callback"].upstream_task_ids == {"result"}


@check
def every_catalog_workflow_has_its_dag_file_holding_its_function():
    dag_files = {path.stem for path in DAGS.glob("*.py")}
    assert dag_files == EXPECTED_DAGS, sorted(dag_files)
    for dag_id in EXPECTED_DAGS:
        source = (DAGS / f"{dag_id}.py").read_text(encoding="utf-8")
        assert f'build_workflow_dag("{dag_id}", {dag_id})' in source, dag_id
        # Airflow's safe mode parses only files that name both.
        assert "airflow" in source.lower() and "dag" in source.lower(), dag_id
        module = dag_module(dag_id)
        assert callable(getattr(module, dag_id)), dag_id
        assert module.dag.dag_id == dag_id, module.dag.dag_id


@check
def a_workflow_removed_from_the_catalog_leaves_the_other_dags_importable():
    import subprocess

    reduced = {**CATALOG, "workflows": {k: v for k, v in CATALOG["workflows"].items() if k != "listar_equipos"}}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(reduced, f)
    script = "\n".join(
        [
            "import importlib.util, sys",
            f"sys.path.insert(0, {str(DAGS)!r})",
            f"for dag_id in {sorted(reduced['workflows'])!r}:",
            f"    spec = importlib.util.spec_from_file_location(dag_id, {str(DAGS)!r} + '/' + dag_id + '.py')",
            "    spec.loader.exec_module(importlib.util.module_from_spec(spec))",
            "print('imported')",
        ]
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "OMNIBOT_WORKFLOW_CATALOG": f.name},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.unlink(f.name)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-2000:]


@check
def a_catalog_that_cannot_be_read_says_so_clearly():
    import subprocess

    for content, expected in (("{not json", "is not valid JSON"), (None, "cannot be read")):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "catalog.json"
            if content is None:
                path.mkdir()  # a folder where the file should be: an OSError other than not found
            else:
                path.write_text(content, encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-c", "from omnibot_common.catalog import dag_ids; dag_ids()"],
                cwd=str(DAGS),
                env={**os.environ, "OMNIBOT_WORKFLOW_CATALOG": str(path)},
                capture_output=True,
                text=True,
                timeout=60,
            )
        assert done.returncode != 0 and expected in done.stderr and "RuntimeError" in done.stderr, done.stderr[-1000:]


@check
def the_catalog_hands_out_copies():
    from omnibot_common import catalog

    catalog.constants("listar_ot_pendientes")["limit"] = 0
    catalog.catalog()["workflows"].clear()
    assert catalog.constants("listar_ot_pendientes")["limit"] == CATALOG["workflows"]["listar_ot_pendientes"]["constants"]["limit"]
    assert catalog.dag_ids() == list(CATALOG["workflows"])


@check
def a_failed_cmms_call_gets_the_catalog_code_of_its_status():
    import requests

    from omnibot_common.catalog import cmms_error_code, error_codes
    from omnibot_common.cmms import CmmsClient
    from omnibot_common.errors import WorkflowFailure

    answers = {
        "http://c/api/equipos/": Answer(401, {"detail": "Token inválido."}),
        "http://c/api/faenas/": Answer(404, {"detail": "No encontrado."}),
        "http://c/api/ordenes-trabajo/reportar-falla/": Answer(400, {"idequipo": ["Equipo no encontrado."]}),
        "http://c/api/ordenes-trabajo/": Answer(503, {"detail": "Servicio no disponible."}),
        "http://c/api/estados-equipo/": Answer(200, None),
        "http://c/api/login/": requests.ConnectionError("Failed to establish a new connection"),
    }
    expected = {
        "http://c/api/equipos/": ("cmms_auth", cmms_error_code(401), False),
        "http://c/api/faenas/": ("cmms_not_found", cmms_error_code(404), False),
        "http://c/api/ordenes-trabajo/reportar-falla/": ("cmms_rejected", cmms_error_code(400), False),
        "http://c/api/ordenes-trabajo/": ("cmms_error", cmms_error_code(503), True),
        "http://c/api/estados-equipo/": ("cmms_bad_response", cmms_error_code(bad_response=True), False),
        "http://c/api/login/": ("cmms_unreachable", cmms_error_code(None), True),
    }
    client = CmmsClient("http://c/api/", None, session=FakeSession(answers))
    for url, (code, from_table, retryable) in expected.items():
        assert code == from_table and code in error_codes(), (url, code, from_table)
        try:
            client.request("GET", url)
        except WorkflowFailure as failure:
            assert (failure.code, failure.retryable) == (code, retryable), (url, failure.code, failure.retryable)
        else:
            raise AssertionError(f"{url} must fail")


@check
def client_sends_token_auth_and_follows_next_links():
    from omnibot_common.cmms import CmmsClient, api_base

    base = api_base("http://cmms:8000/", "api")
    assert base == "http://cmms:8000/api/", base
    assert api_base("http://cmms:8000", "/api/v2/") == "http://cmms:8000/api/v2/"
    session = FakeSession(
        {
            "http://cmms:8000/api/ordenes-trabajo/": {"count": 3, "next": "http://internal:9/api/ordenes-trabajo/?page=2", "previous": None, "results": [{"numeroot": "OT-1"}, {"numeroot": "OT-2"}]},
            "http://cmms:8000/api/ordenes-trabajo/?page=2": {"count": 3, "next": None, "previous": "x", "results": [{"numeroot": "OT-CORR-7"}]},
        }
    )
    client = CmmsClient(base, "k3y", session=session)
    assert session.headers["Authorization"] == "Token k3y"
    assert client.find_work_order(" ot-corr-7 ") == {"numeroot": "OT-CORR-7"}
    assert client.find_work_order("OT-9") is None
    assert session.seen[1] == "http://cmms:8000/api/ordenes-trabajo/?page=2", session.seen


@check
def client_tolerates_a_bare_list():
    from omnibot_common.cmms import CmmsClient

    session = FakeSession({"http://c/api/equipos/": [{"idequipo": 1}, {"idequipo": 2}]})
    assert len(CmmsClient("http://c/api/", None, session=session).list_equipment()) == 2
    assert "Authorization" not in session.headers


@check
def pending_orders_are_open_ones_most_urgent_first_at_most_ten():
    listar_ot_pendientes = dag_module("listar_ot_pendientes").listar_ot_pendientes

    orders = [{"idordentrabajo": i, "numeroot": f"OT-{i}", "estado_nombre": "Abierta", "prioridad": "Baja", "fechacreacionot": f"2026-01-{i + 1:02d}"} for i in range(12)]
    orders += [
        {"idordentrabajo": 50, "numeroot": "OT-C", "estado_nombre": "En Progreso", "prioridad": "Crítica"},
        {"idordentrabajo": 51, "numeroot": "OT-A", "estado_nombre": "Asignada", "prioridad": "Alta"},
        {"idordentrabajo": 52, "numeroot": "OT-DONE", "estado_nombre": "Completada", "prioridad": "Crítica"},
        {"idordentrabajo": 53, "numeroot": "OT-X", "estado_nombre": "cancelada", "prioridad": "Alta"},
        {"idordentrabajo": 54, "numeroot": "OT-M", "estado_nombre": "Abierta", "prioridad": "Media"},
    ]

    class Client:
        def list_work_orders(self):
            return orders

    result = listar_ot_pendientes(Client(), {})
    assert result["total"] == 15, result["total"]
    assert [o["numeroot"] for o in result["orders"][:4]] == ["OT-C", "OT-A", "OT-M", "OT-0"], result["orders"][:4]
    assert len(result["orders"]) == 10
    assert set(result["orders"][0]) == {"idordentrabajo", "numeroot", "equipo_nombre", "estado_nombre", "tipo_mantenimiento_nombre", "prioridad", "tecnico_nombre", "fechacreacionot", "descripcionproblemareportado"}


@check
def parameters_follow_the_catalog_rule_and_reach_the_workflow_normalized():
    from omnibot_common.catalog import invalid_parameters, normalize_parameters

    params = {"idequipo": "7", "descripcion": "  Pierde aceite  ", "prioridad": "critica", "extra": 1}
    assert invalid_parameters("reportar_falla", params) is None
    assert normalize_parameters("reportar_falla", params) == {"idequipo": 7, "descripcion": "Pierde aceite", "prioridad": "Crítica"}
    assert normalize_parameters("reportar_falla", {"idequipo": 7, "descripcion": "Pierde aceite", "prioridad": 4})["prioridad"] == "Crítica"
    # The equipment is an id: the conversation resolves a code or a name before the run starts.
    assert invalid_parameters("reportar_falla", {"idequipo": "CAT-001", "descripcion": "Pierde aceite"}) == "idequipo must be an integer"
    assert invalid_parameters("reportar_falla", {"idequipo": 7, "descripcion": "corta"}) == "descripcion must have at least 10 characters"
    assert invalid_parameters("reportar_falla", {"idequipo": True, "descripcion": "Pierde aceite", "prioridad": "urgente"}) == (
        "idequipo must be an integer; prioridad must be one of Baja, Media, Alta, Crítica (or 1-4)"
    )
    assert invalid_parameters("reportar_falla", {"descripcion": " "}) == "idequipo, descripcion are required"
    assert invalid_parameters("consultar_estado_ot", {"numeroot": 12}) == "numeroot must be a text"

    reportar_falla = dag_module("reportar_falla").reportar_falla

    class Client:
        sent = None

        def report_failure(self, body):
            Client.sent = body
            return {"idordentrabajo": 1, "numeroot": "OT-CORR-CAT-001-1", "prioridad": body["prioridad"]}

    result = reportar_falla(Client(), normalize_parameters("reportar_falla", params))
    assert Client.sent == {"idequipo": 7, "descripcionproblemareportado": "Pierde aceite", "prioridad": "Crítica"}, Client.sent
    assert result["order"]["numeroot"] == "OT-CORR-CAT-001-1"


def run_result_task(dag_id: str, workflow, params: dict) -> tuple[BaseException, dict]:
    """Runs a workflow DAG's `result` task body outside Airflow; returns what it raised and its error XCom."""
    from omnibot_common import dag_factory

    pushed: dict = {}

    class TaskInstance:
        try_number = 1

        def xcom_push(self, key, value):
            pushed[key] = value

    class DagRun:
        run_id = "r1"
        start_date = None
        conf = {"run_id": "r1", "params": params}

    context = {"ti": TaskInstance(), "dag_run": DagRun()}
    saved = dag_factory.get_current_context, dag_factory._cmms_client
    dag_factory.get_current_context, dag_factory._cmms_client = (lambda: context), (lambda timeout: object())
    try:
        task = {t.task_id: t for t in dag_factory.build_workflow_dag(dag_id, workflow).tasks}["result"]
        try:
            task.python_callable()
        except BaseException as exc:  # noqa: BLE001 - the raised exception is what is checked
            return exc, pushed.get(dag_factory.ERROR_XCOM_KEY)
        raise AssertionError("the result task must fail")
    finally:
        dag_factory.get_current_context, dag_factory._cmms_client = saved


@check
def a_run_past_its_timeout_ends_as_workflow_timeout_like_the_in_process_runner():
    from airflow.sdk.exceptions import AirflowFailException, AirflowTaskTimeout

    from omnibot_common.catalog import run_timeout_seconds

    bag_task = {t.task_id: t for t in dag_module("listar_equipos").dag.tasks}["result"]
    assert bag_task.execution_timeout.total_seconds() == run_timeout_seconds() == CATALOG["runs"]["timeoutSeconds"]

    def slow(client, params, run=None):
        raise AirflowTaskTimeout("Timeout, PID: 1")

    raised, error = run_result_task("listar_equipos", slow, {})
    assert isinstance(raised, AirflowFailException), repr(raised)  # not retried: the deadline is the run's
    assert error["code"] == "workflow_timeout", error


@check
def params_outside_the_rule_end_as_invalid_params_before_the_workflow_runs():
    from airflow.sdk.exceptions import AirflowFailException

    def never(client, params, run=None):
        raise AssertionError("the workflow must not run")

    raised, error = run_result_task("reportar_falla", never, {"idequipo": "x", "descripcion": "Pierde aceite"})
    assert isinstance(raised, AirflowFailException), repr(raised)
    assert error == {"code": "invalid_params", "message": "idequipo must be an integer"}, error


@check
def callback_body_is_signed_over_its_exact_bytes():
    from omnibot_common.callback import build_payload, encode_body, sign

    payload = build_payload(conversation_id="web:ñandú", run_id="r1", dag_id="listar_equipos", result={"total": 0, "equipment": []}, error=None)
    body = encode_body(payload)
    assert json.loads(body) == {"conversation_id": "web:ñandú", "run_id": "r1", "dag_id": "listar_equipos", "status": "success", "result": {"total": 0, "equipment": []}}
    assert "ñandú".encode() in body
    assert sign("s", body) == "sha256=" + hmac.new(b"s", body, hashlib.sha256).hexdigest()
    failed = build_payload(conversation_id="c", run_id="r", dag_id="d", result=None, error={"code": "x", "message": "y"})
    assert failed["status"] == "failed" and "result" not in failed



class ManyOrdersSession(FakeSession):
    """`count` pages of one order each, built on demand; `orders(page)` gives a page's orders."""

    def __init__(self, count: int, orders):
        super().__init__({})
        self.count, self.orders = count, orders

    def request(self, method, url, json=None, timeout=None):
        page = int(url.rsplit("page=", 1)[1]) if "page=" in url else 1
        following = f"http://c/api/ordenes-trabajo/?page={page + 1}" if page < self.count else None
        self.pages[url] = {"count": self.count, "next": following, "results": self.orders(page)}
        return super().request(method, url)


@check
def reported_failure_is_looked_for_in_the_newest_pages_reading_a_bounded_number():
    from omnibot_common.cmms import CmmsClient

    marker = "Reportada por el asistente omnibot (ref. 0123456789abcdef)"
    session = ManyOrdersSession(600, lambda page: [{"numeroot": f"OT-{page}", "observacionesfinales": marker if page == 600 else None}])
    assert CmmsClient("http://c/api/", None, session=session).find_reported_failure(marker)["numeroot"] == "OT-600"
    assert [url.rsplit("page=", 1)[-1] for url in session.seen] == ["1", "600"], session.seen
    session = ManyOrdersSession(600, lambda page: [{"numeroot": f"OT-{page}"}])
    assert CmmsClient("http://c/api/", None, session=session).find_reported_failure(marker) is None
    assert len(session.seen) == 50, len(session.seen)


@check
def reported_failure_without_its_marker_is_matched_by_equipment_description_and_time():
    from datetime import datetime, timedelta, timezone

    from omnibot_common.cmms import pick_reported_failure

    reportar_falla = dag_module("reportar_falla").reportar_falla

    started = datetime(2026, 12, 2, 6, 0, tzinfo=timezone.utc)
    mine = "Reportada por el asistente omnibot (ref. fedcba9876543210)"
    order = {"numeroot": "OT-1", "idequipo": 7, "descripcionproblemareportado": "Pierde aceite", "fechacreacionot": "2026-12-02T06:00:05Z", "observacionesfinales": None}
    assert pick_reported_failure([order], mine, 7, "Pierde aceite", started) is order
    assert pick_reported_failure([order], mine, 7, "Pierde aceite", started + timedelta(hours=1)) is None  # made before the run
    assert pick_reported_failure([order], mine, 8, "Pierde aceite", started) is None
    assert pick_reported_failure([order], mine, 7, "Pierde aceite.", started) is None
    other_run = {**order, "observacionesfinales": "Reportada por el asistente omnibot (ref. 0123456789abcdef)"}
    assert pick_reported_failure([other_run], mine, 7, "Pierde aceite", started) is None

    class Client:
        created = 0

        def find_reported_failure(self, marker, *, idequipo=None, descripcion=None, since=None):
            return pick_reported_failure([order], marker, idequipo, descripcion, since)

        def report_failure(self, body, retry_safe=False):
            Client.created += 1
            return {"numeroot": "OT-2"}

    run = {"run_id": "r1", "attempt": 2, "started_at": started}
    assert reportar_falla(Client(), {"idequipo": 7, "descripcion": "Pierde aceite"}, run=run)["order"]["numeroot"] == "OT-1"
    assert Client.created == 0


def main() -> int:
    passed = failed = 0
    for fn in CHECKS:
        try:
            fn()
        except Exception:  # noqa: BLE001 - report every failing check
            failed += 1
            print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
        else:
            passed += 1
            print(f"ok   {fn.__name__}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
