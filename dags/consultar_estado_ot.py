"""omnibot Airflow DAG `consultar_estado_ot`: the status of a work order found by its numeroot.

Described in workflows/catalog.json (parameters, texts, errors); its TypeScript side is
workflows/consultar_estado_ot.ts, with the same result shape. conf = {conversation_id, run_id,
callback_url, params}; the last task POSTs the signed result.
"""

from __future__ import annotations

from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.summaries import summarize_work_order
from omnibot_common.workflows import RunInfo


def consultar_estado_ot(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    numeroot = params["numeroot"]
    order = client.find_work_order(numeroot)
    if order is None:
        return {"found": False, "numeroot": numeroot}
    return {"found": True, "order": summarize_work_order(order)}


dag = build_workflow_dag("consultar_estado_ot", consultar_estado_ot)
