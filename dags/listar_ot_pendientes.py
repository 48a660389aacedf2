"""omnibot Airflow DAG `listar_ot_pendientes`: work orders neither completed nor cancelled, most
urgent first, at most the catalog's `limit`.

Described in workflows/catalog.json (parameters, constants, texts, errors); its TypeScript side is
workflows/listar_ot_pendientes.ts, with the same result shape. conf = {conversation_id, run_id,
callback_url, params}; the last task POSTs the signed result.
"""

from __future__ import annotations

from omnibot_common.catalog import constants
from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.summaries import is_pending, pending_sort_key, summarize_work_order
from omnibot_common.workflows import RunInfo


def listar_ot_pendientes(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    pending = sorted((o for o in client.list_work_orders() if is_pending(o)), key=pending_sort_key)
    limit = int(constants("listar_ot_pendientes")["limit"])
    return {"total": len(pending), "orders": [summarize_work_order(o) for o in pending[:limit]]}


dag = build_workflow_dag("listar_ot_pendientes", listar_ot_pendientes)
