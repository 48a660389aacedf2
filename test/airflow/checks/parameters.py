"""A workflow's parameters and its run outside Airflow: the catalog's rule (as workflows/catalog.ts),
the params a workflow gets, pending orders, and how the `result` task ends (invalid_params, timeout)."""

from __future__ import annotations

import json

from .support import CATALOG, check, dag_module


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
    assert set(result["orders"][0]) == {"idordentrabajo", "numeroot", "equipo_nombre", "estado_nombre", "tipo_mantenimiento_nombre", "prioridad", "tecnico_nombre", "fechacreacionot", "descripcionproblemareportado", "idsolicitante", "idtecnicoasignado", "solicitante_nombre"}


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


@check
def a_whole_number_priority_is_its_position_even_written_2_0_as_in_typescript():
    # priorityOf (workflows/catalog.ts) takes any integer number; JSON's 2.0 reaches Python as a float.
    # (test/workflows/parameters.test.ts cannot send it: JSON.stringify writes 2.0 as 2.)
    from omnibot_common.catalog import invalid_parameters, normalize_parameters

    base = {"idequipo": 7, "descripcion": "Pierde aceite"}
    for sent in json.loads('[2, 2.0, "2", " media "]'):
        params = {**base, "prioridad": sent}
        assert invalid_parameters("reportar_falla", params) is None, sent
        assert normalize_parameters("reportar_falla", params)["prioridad"] == "Media", sent
    for refused in (2.5, True, 0, 5.0, float("nan")):
        assert invalid_parameters("reportar_falla", {**base, "prioridad": refused}).startswith("prioridad must be one of"), refused


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
    dag_factory.get_current_context, dag_factory._cmms_client = (lambda: context), (lambda conf, timeout, **run: object())
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
