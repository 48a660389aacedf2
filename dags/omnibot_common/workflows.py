"""The workflows as plain functions `(client, params, run=None) -> result`, free of Airflow: one per
id of the workflow catalog (workflows/catalog.json), keyed by it in WORKFLOWS.

The result shapes are those of core/workflows/results.ts. `run` ({run_id, attempt}) tells a
workflow which DAG run it serves and whether an earlier attempt may already have written to the
CMMS (attempt > 1); the ones that write look for that first (as core/workflows/definitions.ts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import TypedDict

from .catalog import constants
from .cmms import REPORT_MARKER_PREFIX, CmmsClient
from .errors import WorkflowFailure
from .summaries import (
    fold,
    is_pending,
    normalize_priority,
    pending_sort_key,
    summarize_equipment,
    summarize_work_order,
)


class RunInfo(TypedDict, total=False):
    run_id: str
    attempt: int
    started_at: datetime | None  # when the DAG run started: the same for every try


Workflow = Callable[..., dict]


def report_marker(run_id: str) -> str:
    """Written in `observacionesadicionales` (the demo CMMS keeps it as `observacionesfinales`):
    unique to the run, without the user's ids. Same text as core/workflows/definitions.ts."""
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:16]
    return f"{REPORT_MARKER_PREFIX} (ref. {digest})"


def _required_text(params: dict, name: str) -> str:
    value = str(params.get(name) or "").strip()
    if not value:
        raise WorkflowFailure("invalid_params", f"param {name} is required")
    return value


def consultar_estado_ot(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    numeroot = _required_text(params, "numeroot")
    order = client.find_work_order(numeroot)
    if order is None:
        return {"found": False, "numeroot": numeroot}
    return {"found": True, "order": summarize_work_order(order)}


def _resolve_equipment_id(client: CmmsClient, idequipo: object) -> int:
    """A primary key as is; otherwise a `codigointerno` (e.g. CAT-001) or a name, looked up in equipos/."""
    if isinstance(idequipo, int) and not isinstance(idequipo, bool):
        return idequipo
    text = str(idequipo or "").strip()
    if not text:
        raise WorkflowFailure("invalid_params", "param idequipo is required")
    if text.isdigit():
        return int(text)
    wanted = fold(text)
    equipment = client.list_equipment()
    for field in ("codigointerno", "nombreequipo"):
        for item in equipment:
            if fold(item.get(field)) == wanted:
                return int(item["idequipo"])
    raise WorkflowFailure("equipment_not_found", f"no equipment with code or name {text!r}")


def reportar_falla(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    descripcion = _required_text(params, "descripcion")
    idequipo = _resolve_equipment_id(client, params.get("idequipo"))
    body: dict = {"idequipo": idequipo, "descripcionproblemareportado": descripcion}
    if params.get("prioridad") not in (None, ""):
        prioridad = normalize_priority(params.get("prioridad"))
        if prioridad is None:
            raise WorkflowFailure("invalid_params", f"unknown prioridad {params.get('prioridad')!r}")
        body["prioridad"] = prioridad
    if not (run and run.get("run_id")):
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
    created = client.report_failure({**body, "observacionesadicionales": marker}, retry_safe=True)
    return {"order": summarize_work_order(created)}


def listar_equipos(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    # Retired equipment (activo = false) is not offered, as the gateway's own client does.
    equipment = [summarize_equipment(item) for item in client.list_equipment() if item.get("activo") is not False]
    return {"total": len(equipment), "equipment": equipment}


def listar_ot_pendientes(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    pending = sorted((o for o in client.list_work_orders() if is_pending(o)), key=pending_sort_key)
    limit = int(constants("listar_ot_pendientes")["limit"])
    return {"total": len(pending), "orders": [summarize_work_order(o) for o in pending[:limit]]}


# Checked against the catalog's ids by test/airflow/check_dags.py and workflows/catalog.test.ts.
WORKFLOWS: dict[str, Workflow] = {
    "consultar_estado_ot": consultar_estado_ot,
    "reportar_falla": reportar_falla,
    "listar_equipos": listar_equipos,
    "listar_ot_pendientes": listar_ot_pendientes,
}
