"""omnibot Airflow DAG `iniciar_ot`: the technician an order is assigned to starts it (En Progreso).

Described in workflows/catalog.json (parameters, constants, texts, errors); its TypeScript side is
workflows/iniciar_ot.ts, with the same result shape {order, changed}. conf = {conversation_id, run_id,
callback_url, params, acting_as?, credentials_url?}; the last task POSTs the signed result.
"""

from __future__ import annotations

from omnibot_common.catalog import constants
from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.order_actions import already_done, assigned_or_fail, changed, open_or_fail, order_or_fail
from omnibot_common.summaries import in_state
from omnibot_common.workflows import RunInfo


def iniciar_ot(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    state = constants("iniciar_ot")["state"]
    order = order_or_fail(client, params["numeroot"])
    assigned_or_fail(order, params["idusuario"])
    if in_state(order, state):
        return already_done(order, run)
    open_or_fail(order)
    return changed(client.update_work_order(order["idordentrabajo"], {"estado": state}))


dag = build_workflow_dag("iniciar_ot", iniciar_ot)
