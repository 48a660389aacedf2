"""omnibot Airflow DAG `reportar_falla`: reports a failure, creating a corrective work order.

Described in workflows/catalog.json (parameters, constants, texts, errors); its TypeScript side is
workflows/reportar_falla.ts, with the same result shape. conf = {conversation_id, run_id,
callback_url, params}; the last task POSTs the signed result.
"""

from __future__ import annotations

import hashlib

from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.reported_failure import marker_prefix
from omnibot_common.summaries import summarize_work_order
from omnibot_common.workflows import RunInfo


def report_marker(run_id: str) -> str:
    """Written in `observacionesadicionales` (the demo CMMS keeps it as `observacionesfinales`):
    unique to the run, without the user's ids. Same text as workflows/reportar_falla.ts."""
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:16]
    return f"{marker_prefix()} (ref. {digest})"


def report_observations(reportado_por: str | None, marker: str | None) -> str | None:
    """`"<reportado_por>. <marker>"` (either alone when the other is missing), as reportObservations."""
    parts = [part for part in ((reportado_por or "").rstrip("."), marker or "") if part]
    return ". ".join(parts) if parts else None


def reportar_falla(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    """`params` are checked and normalized: idequipo an int, prioridad (optional) a CMMS name,
    reportado_por (optional) who reported it and how, written first in `observacionesadicionales`."""
    idequipo, descripcion = params["idequipo"], params["descripcion"]
    body: dict = {"idequipo": idequipo, "descripcionproblemareportado": descripcion}
    if params.get("prioridad") is not None:
        body["prioridad"] = params["prioridad"]
    if not (run and run.get("run_id")):
        observations = report_observations(params.get("reportado_por"), None)
        if observations:
            body["observacionesadicionales"] = observations
        return {"order": summarize_work_order(client.report_failure(body))}
    # The order carries its run's marker: a retried task finds the order an earlier attempt created
    # instead of creating a second one, so creating it may be retried too.
    marker = report_marker(run["run_id"])
    if run.get("attempt", 1) > 1:
        # Also found without the marker (a CMMS that does not keep it): same equipment and description,
        # created since the run started.
        existing = client.find_reported_failure(
            marker, idequipo=idequipo, descripcion=descripcion, since=run.get("started_at")
        )
        if existing is not None:
            return {"order": summarize_work_order(existing)}
    observations = report_observations(params.get("reportado_por"), marker)
    created = client.report_failure({**body, "observacionesadicionales": observations}, retry_safe=True)
    return {"order": summarize_work_order(created)}


dag = build_workflow_dag("reportar_falla", reportar_falla)
