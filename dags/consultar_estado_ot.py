"""omnibot Airflow DAG `consultar_estado_ot`: described in workflows/catalog.json (its parameters, constants, errors).

conf = {conversation_id, run_id, callback_url, params}; the last task POSTs the signed result.
"""

from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.workflows import consultar_estado_ot

dag = build_workflow_dag("consultar_estado_ot", consultar_estado_ot)
