"""omnibot Airflow DAG `listar_ot_pendientes`: described in workflows/catalog.json (its parameters, constants, errors).

conf = {conversation_id, run_id, callback_url, params}; the last task POSTs the signed result.
"""

from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.workflows import listar_ot_pendientes

dag = build_workflow_dag("listar_ot_pendientes", listar_ot_pendientes)
