"""The workflow catalog (`workflows/catalog.json`), shared with the gateway's TypeScript.

Ids, parameters, constants and error codes come from there, so nothing is written twice across the
two languages. The file is found at `OMNIBOT_WORKFLOW_CATALOG` when set, else at
`<dags folder>/../workflows/catalog.json` (the repository's layout; a deployment that mounts only
dags/ mounts workflows/ next to it).

Plain Python (json, pathlib): importable without Airflow.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

CATALOG_ENV = "OMNIBOT_WORKFLOW_CATALOG"


def catalog_path() -> Path:
    configured = os.environ.get(CATALOG_ENV, "").strip()
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "workflows" / "catalog.json"


@lru_cache(maxsize=1)
def catalog() -> dict:
    path = catalog_path()
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError as exc:
        raise RuntimeError(
            f"workflow catalog not found at {path}: set {CATALOG_ENV} or put workflows/ next to dags/"
        ) from exc


def dag_ids() -> list[str]:
    return list(catalog()["workflows"])


def workflow(dag_id: str) -> dict:
    workflows = catalog()["workflows"]
    if dag_id not in workflows:
        raise KeyError(f"{dag_id} is not in the workflow catalog ({catalog_path()})")
    return workflows[dag_id]


def constants(dag_id: str) -> dict:
    return workflow(dag_id)["constants"]


def missing_parameters(dag_id: str, params: dict) -> list[str]:
    """The required parameters that `params` lacks (absent, None or blank), as workflows/catalog.ts."""
    def blank(value: object) -> bool:
        return value is None or str(value).strip() == ""

    return [p["name"] for p in workflow(dag_id)["parameters"] if p["required"] and blank(params.get(p["name"]))]


def error_codes() -> set[str]:
    return set(catalog()["errors"])


def cmms_error_code(status: int | None = None, *, bad_response: bool = False) -> str:
    """The error code of a failed CMMS call (`status` None: no answer), as cmmsErrorCode in TypeScript."""
    table = catalog()["cmmsFailures"]
    if bad_response:
        return table["badResponse"]
    if status is None:
        return table["noAnswer"]
    by_status = table["byStatus"]
    if str(status) in by_status:
        return by_status[str(status)]
    return table["serverError"] if status >= 500 else table["clientError"]


def cmms_priorities() -> list[str]:
    """From the least urgent to the most; the number a user may type is the position (1-4)."""
    return list(catalog()["cmms"]["priorities"])


def closed_work_order_states() -> list[str]:
    return list(catalog()["cmms"]["closedWorkOrderStates"])
