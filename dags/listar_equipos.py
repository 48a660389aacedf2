"""omnibot Airflow DAG `listar_equipos`: the active equipment of the CMMS.

Described in workflows/catalog.json (parameters, texts, errors); its TypeScript side is
workflows/listar_equipos.ts, with the same result shape. conf = {conversation_id, run_id,
callback_url, params}; the last task POSTs the signed result.
"""

from __future__ import annotations

from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.summaries import summarize_equipment
from omnibot_common.workflows import RunInfo


def listar_equipos(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    # Retired equipment (activo = false) is not offered, as the gateway's own client does.
    equipment = [summarize_equipment(item) for item in client.list_equipment() if item.get("activo") is not False]
    return {"total": len(equipment), "equipment": equipment}


dag = build_workflow_dag("listar_equipos", listar_equipos)
