"""omnibot Airflow DAG `completar_ot`: the technician an order is assigned to completes it, with the
final observations and the minutes spent (`POST ordenes-trabajo/{id}/completar/`).

Described in workflows/catalog.json (parameters, constants, texts, errors); its TypeScript side is
workflows/completar_ot.ts, with the same result shape {order, changed, minutos?}. conf =
{conversation_id, run_id, callback_url, params, acting_as?, credentials_url?}; the last task POSTs the
signed result. An order found Completada is never completed again (a retried task gives the first
attempt's outcome).
"""

from __future__ import annotations

from omnibot_common.catalog import constants
from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.order_actions import already_done, assigned_or_fail, changed, open_or_fail, order_or_fail
from omnibot_common.summaries import in_state
from omnibot_common.workflows import RunInfo


def completar_ot(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    state = constants("completar_ot")["state"]
    minutos = params["minutos"]
    order = order_or_fail(client, params["numeroot"])
    assigned_or_fail(order, params["idusuario"])
    if in_state(order, state):
        result = already_done(order, run)
        return {**result, "minutos": minutos} if result["changed"] else result
    open_or_fail(order)
    done = client.complete_work_order(order["idordentrabajo"], params["observaciones"], minutos)
    return {**changed(done), "minutos": minutos}


dag = build_workflow_dag("completar_ot", completar_ot)
