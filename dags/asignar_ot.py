"""omnibot Airflow DAG `asignar_ot`: a supervisor assigns an order to a technician (its technician set,
its state Asignada: one another technician had started goes back to Asignada). `previous`: the
technician it had, when another one, and its state; the same technician again changes nothing.

Described in workflows/catalog.json (parameters, constants, texts, errors); its TypeScript side is
workflows/asignar_ot.ts, with the same result shape {order, changed, previous?}. conf =
{conversation_id, run_id, callback_url, params, acting_as?, credentials_url?}; the last task POSTs the
signed result.
"""

from __future__ import annotations

from omnibot_common.catalog import constants
from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.order_actions import already_done, changed, is_user, open_or_fail, order_or_fail
from omnibot_common.summaries import in_state, is_unassigned, summarize_work_order
from omnibot_common.workflows import RunInfo


def previous_of(order: dict, idtecnico: int) -> dict:
    """{previous: {idtecnicoasignado, tecnico_nombre, estado_nombre}} when the order was assigned (not
    just reported: is_unassigned) to someone other than `idtecnico`, else {} (as previousOf)."""
    if is_unassigned(order) or is_user(order.get("idtecnicoasignado"), idtecnico):
        return {}
    return {"previous": {key: order.get(key) for key in ("idtecnicoasignado", "tecnico_nombre", "estado_nombre")}}


def asignar_ot(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    state, started = constants("asignar_ot")["state"], constants("iniciar_ot")["state"]
    idtecnico = params["idtecnico"]
    order = order_or_fail(client, params["numeroot"])
    open_or_fail(order)
    if is_user(order.get("idtecnicoasignado"), idtecnico) and (in_state(order, state) or in_state(order, started)):
        # The technician already on it: nothing to change (a started order stays started).
        return already_done(order, run) if in_state(order, state) else {"order": summarize_work_order(order), "changed": False}
    change = {"idtecnicoasignado": idtecnico, "estado": state}
    return {**changed(client.update_work_order(order["idordentrabajo"], change)), **previous_of(order, idtecnico)}


dag = build_workflow_dag("asignar_ot", asignar_ot)
