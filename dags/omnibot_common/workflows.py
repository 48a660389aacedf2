"""What a workflow is on the Python side: a plain function `(client, params, run) -> result`, free of
Airflow, defined in its own DAG file `dags/<dag_id>.py` next to its `build_workflow_dag` call.

`params` are the catalog's parameters, already checked and normalized by the DAG factory
(catalog.invalid_parameters / normalize_parameters, as workflows/catalog.ts): an integer is an int,
a priority a CMMS name. The result has the shape of the workflow's TypeScript module
(workflows/<dag_id>.ts). `run` ({run_id, attempt, started_at}) tells a workflow which DAG run it
serves and whether an earlier attempt may already have written to the CMMS (attempt > 1); the ones
that write look for that first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypedDict


class RunInfo(TypedDict, total=False):
    run_id: str
    attempt: int
    started_at: datetime | None  # when the DAG run started: the same for every try


Workflow = Callable[..., dict]
