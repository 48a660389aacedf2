"""The workflow catalog (`workflows/catalog.json`), shared with the gateway's TypeScript.

Ids, parameters, constants and error codes come from there, so nothing is written twice across the
two languages. The file is found at `OMNIBOT_WORKFLOW_CATALOG` when set, else at
`<dags folder>/../workflows/catalog.json` (the repository's layout; a deployment that mounts only
dags/ mounts workflows/ next to it). It is read once, when first asked: no module of omnibot_common
reads it at import (a DAG file reads its own entry when it builds its DAG), and every reader gets a
copy, so no caller can change what the others read.

Plain Python (json, pathlib, re): importable without Airflow.
"""

from __future__ import annotations

import copy
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from .fold_text import fold_text

CATALOG_ENV = "OMNIBOT_WORKFLOW_CATALOG"


def catalog_path() -> Path:
    configured = os.environ.get(CATALOG_ENV, "").strip()
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "workflows" / "catalog.json"


@lru_cache(maxsize=1)
def _loaded() -> dict:
    path = catalog_path()
    try:
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError as exc:
        raise RuntimeError(
            f"workflow catalog not found at {path}: set {CATALOG_ENV} or put workflows/ next to dags/"
        ) from exc
    except OSError as exc:
        raise RuntimeError(f"workflow catalog at {path} cannot be read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"workflow catalog at {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("workflows"), dict):
        raise RuntimeError(f"workflow catalog at {path} has no 'workflows' object")
    return data


def catalog() -> dict:
    """The whole catalog (a copy)."""
    return copy.deepcopy(_loaded())


def dag_ids() -> list[str]:
    return list(_loaded()["workflows"])


def workflow(dag_id: str) -> dict:
    workflows = _loaded()["workflows"]
    if dag_id not in workflows:
        raise KeyError(f"{dag_id} is not in the workflow catalog ({catalog_path()})")
    return copy.deepcopy(workflows[dag_id])


def requires_user(dag_id: str) -> bool:
    """Whether the workflow only runs as a linked user (`"actsAs": "user"`, as requiresUser in
    workflows/catalog.ts): without `conf.acting_as` its run ends as identity_expired, never as the
    service account."""
    return workflow(dag_id).get("actsAs") == "user"


def constants(dag_id: str) -> dict:
    return workflow(dag_id)["constants"]


def run_timeout_seconds() -> float:
    """How long one attempt of a run may take before it ends as workflow_timeout (both runners)."""
    return float(_loaded()["runs"]["timeoutSeconds"])


def error_codes() -> set[str]:
    return set(_loaded()["errors"])


def cmms_error_code(status: int | None = None, *, bad_response: bool = False, as_user: bool = False) -> str:
    """The error code of a failed CMMS call (`status` None: no answer), as cmmsErrorCode in TypeScript.
    `as_user`: the call was made with a user's own token (their 401 is identity_expired, their 403
    not_allowed: the catalog's `cmmsFailures.asUser`)."""
    table = _loaded()["cmmsFailures"]
    if bad_response:
        return table["badResponse"]
    if status is None:
        return table["noAnswer"]
    if as_user and str(status) in table["asUser"]:
        return table["asUser"][str(status)]
    by_status = table["byStatus"]
    if str(status) in by_status:
        return by_status[str(status)]
    return table["serverError"] if status >= 500 else table["clientError"]


def cmms_constants() -> dict:
    """The catalog's `cmms` section (a copy): paging, Retry-After, reported-failure look-up."""
    return copy.deepcopy(_loaded()["cmms"])


def cmms_priorities() -> list[str]:
    """From the least urgent to the most; the number a user may type is the position (1-4)."""
    return list(_loaded()["cmms"]["priorities"])


def closed_work_order_states() -> list[str]:
    return list(_loaded()["cmms"]["closedWorkOrderStates"])


# The one rule for a workflow's parameters, the same as workflows/catalog.ts (invalidParameters,
# normalizeParameters): both runners refuse the same params with the same invalid_params message.
#   absent, None or blank: missing (an error when required, else left out);
#   string: a text, trimmed, at least minLength characters; one of `values` when listed (case and
#     accents ignored, handed over as listed);
#   integer: an integer, or a text of digits ("12" is 12); at least `minimum` when set;
#   priority: a CMMS priority by name (case and accents ignored) or by position ("1"-"4").

_DIGITS = re.compile(r"[0-9]+")
_MAX_SAFE_INTEGER = 2**53 - 1  # as JavaScript's Number.isSafeInteger


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _whole(value: object) -> object:
    """A whole float as the int it is in JavaScript (7.0 in JSON is 7); anything else unchanged."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    value = _whole(value)
    if isinstance(value, int):
        return value if abs(value) <= _MAX_SAFE_INTEGER else None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
        return number if number <= _MAX_SAFE_INTEGER else None
    return None


def _priority(value: object) -> str | None:
    """As priorityOf in workflows/catalog.ts: a text, or a whole number (2 and 2.0 are "Media")."""
    value = _whole(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    key = fold_text(str(value))
    names = cmms_priorities()
    if _DIGITS.fullmatch(key):
        position = int(key)
        return names[position - 1] if 1 <= position <= len(names) else None
    return next((name for name in names if fold_text(name) == key), None)


def _check(parameter: dict, value: object) -> tuple[object, str | None]:
    """(the value a workflow gets, None) or (None, why it does not follow its parameter's rule)."""
    name, kind = parameter["name"], parameter["type"]
    if kind == "string":
        if not isinstance(value, str):
            return None, f"{name} must be a text"
        text = value.strip()
        least = parameter.get("minLength", 0)
        if len(text) < least:
            return None, f"{name} must have at least {least} characters"
        values = parameter.get("values")
        if values is None:
            return text, None
        listed = next((v for v in values if fold_text(v) == fold_text(text)), None)
        return (listed, None) if listed is not None else (None, f"{name} must be one of {', '.join(values)}")
    if kind == "integer":
        number = _integer(value)
        if number is None:
            return None, f"{name} must be an integer"
        least = parameter.get("minimum")
        return (None, f"{name} must be at least {least}") if least is not None and number < least else (number, None)
    if kind == "priority":
        priority = _priority(value)
        if priority is None:
            names = cmms_priorities()
            return None, f"{name} must be one of {', '.join(names)} (or 1-{len(names)})"
        return priority, None
    raise ValueError(f"{name} has unknown type {kind}")


def missing_parameters(dag_id: str, params: dict) -> list[str]:
    """The required parameters that `params` lacks (absent, None or blank), as workflows/catalog.ts."""
    return [p["name"] for p in workflow(dag_id)["parameters"] if p["required"] and _blank(params.get(p["name"]))]


def invalid_parameters(dag_id: str, params: dict) -> str | None:
    """Why `params` cannot run workflow `dag_id` (invalid_params), or None when they can."""
    missing = missing_parameters(dag_id, params)
    problems = [f"{', '.join(missing)} {'are' if len(missing) > 1 else 'is'} required"] if missing else []
    for parameter in workflow(dag_id)["parameters"]:
        value = params.get(parameter["name"])
        if not _blank(value):
            _, problem = _check(parameter, value)
            if problem:
                problems.append(problem)
    return "; ".join(problems) if problems else None


def normalize_parameters(dag_id: str, params: dict) -> dict:
    """The catalog's parameters of `params`, normalized (only after invalid_parameters gave None)."""
    out = {}
    for parameter in workflow(dag_id)["parameters"]:
        value = params.get(parameter["name"])
        if not _blank(value):
            normalized, problem = _check(parameter, value)
            if problem is None:
                out[parameter["name"]] = normalized
    return out
