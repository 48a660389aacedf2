"""omnibot Airflow DAG `listar_ot_sin_asignar`: the open work orders a supervisor has not assigned yet
(summaries.is_unassigned: reported, whoever the CMMS put as technician, or with no technician), most
urgent first, at most the catalog's `limit`.

Described in workflows/catalog.json (parameters, constants, texts, errors); its TypeScript side is
workflows/listar_ot_sin_asignar.ts, with the same result shape {total, orders}. conf =
{conversation_id, run_id, callback_url, params, acting_as?, credentials_url?}; the last task POSTs the
signed result.
"""

from __future__ import annotations

from omnibot_common.catalog import constants
from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.summaries import is_unassigned, pending_sort_key, summarize_work_order
from omnibot_common.workflows import RunInfo


def listar_ot_sin_asignar(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    orders = sorted((o for o in client.list_work_orders() if is_unassigned(o)), key=pending_sort_key)
    limit = int(constants("listar_ot_sin_asignar")["limit"])
    return {"total": len(orders), "orders": [summarize_work_order(o) for o in orders[:limit]]}


dag = build_workflow_dag("listar_ot_sin_asignar", listar_ot_sin_asignar)
