"""omnibot Airflow DAG `reportar_falla`: described in workflows/catalog.json (its parameters, constants, errors).

conf = {conversation_id, run_id, callback_url, params}; the last task POSTs the signed result.
"""

from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.workflows import reportar_falla

dag = build_workflow_dag("reportar_falla", reportar_falla)
