"""The DAG folder imports as Airflow imports it: every catalog workflow has its DAG (the scheduled DAGs
of support.SCHEDULED_DAGS aside), and importing
one never depends on the catalog's other workflows (nor on the catalog at all, for omnibot_common)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from .support import CATALOG, DAGS, EXPECTED_DAGS, SCHEDULED_DAGS, check, dag_module


@check
def dagbag_has_every_dag_without_import_errors():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert not bag.import_errors, bag.import_errors
    assert set(bag.dag_ids) == EXPECTED_DAGS | SCHEDULED_DAGS, sorted(bag.dag_ids)
    for dag in (bag.dags[dag_id] for dag_id in EXPECTED_DAGS):
        assert dag.description.startswith(CATALOG["workflows"][dag.dag_id]["description"]), dag.description
        assert dag.schedule is None or str(dag.timetable.summary) in ("None", "Never"), dag.dag_id
        tasks = {t.task_id: t for t in dag.tasks}
        assert set(tasks) == {"result", "callback"}, (dag.dag_id, set(tasks))
        assert str(tasks["callback"].trigger_rule) in ("all_done", "TriggerRule.ALL_DONE"), tasks["callback"].trigger_rule
        assert tasks["callback"].upstream_task_ids == {"result"}


@check
def every_catalog_workflow_has_its_dag_file_holding_its_function():
    dag_files = {path.stem for path in DAGS.glob("*.py")}
    assert dag_files == EXPECTED_DAGS | SCHEDULED_DAGS, sorted(dag_files)
    for dag_id in EXPECTED_DAGS:
        source = (DAGS / f"{dag_id}.py").read_text(encoding="utf-8")
        assert f'build_workflow_dag("{dag_id}", {dag_id})' in source, dag_id
        # Airflow's safe mode parses only files that name both.
        assert "airflow" in source.lower() and "dag" in source.lower(), dag_id
        module = dag_module(dag_id)
        assert callable(getattr(module, dag_id)), dag_id
        assert module.dag.dag_id == dag_id, module.dag.dag_id


def _run_python(script: str, catalog_path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=str(DAGS),
        env={**os.environ, "OMNIBOT_WORKFLOW_CATALOG": catalog_path},
        capture_output=True,
        text=True,
        timeout=120,
    )


@check
def a_workflow_removed_from_the_catalog_leaves_the_other_dags_importable():
    reduced = {**CATALOG, "workflows": {k: v for k, v in CATALOG["workflows"].items() if k != "listar_equipos"}}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(reduced, f)
    script = "\n".join(
        [
            "import importlib.util, sys",
            f"sys.path.insert(0, {str(DAGS)!r})",
            f"for dag_id in {sorted(reduced['workflows'])!r}:",
            f"    spec = importlib.util.spec_from_file_location(dag_id, {str(DAGS)!r} + '/' + dag_id + '.py')",
            "    spec.loader.exec_module(importlib.util.module_from_spec(spec))",
            "print('imported')",
        ]
    )
    try:
        done = _run_python(script, f.name)
    finally:
        os.unlink(f.name)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-2000:]


@check
def importing_the_shared_modules_never_reads_the_catalog():
    # No catalog at all: an import that read it would fail with "workflow catalog not found".
    modules = sorted(path.stem for path in (DAGS / "omnibot_common").glob("*.py") if path.stem != "__init__")
    assert {"catalog", "cmms", "summaries", "reported_failure", "dag_factory"} <= set(modules), modules
    script = f"import importlib\nfor name in {modules!r}:\n    importlib.import_module('omnibot_common.' + name)\nprint('imported')"
    with tempfile.TemporaryDirectory() as folder:
        done = _run_python(script, os.path.join(folder, "missing.json"))
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-2000:]
