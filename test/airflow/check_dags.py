"""Checks of dags/ without a running Airflow, run with the Airflow venv's python
(`python test/airflow/check_dags.py`): the DagBag imports with no errors and holds every omnibot DAG
with the expected tasks, and the pure helpers (catalog, CMMS client, parameters, the role workflows, callback, a run acting as a
linked user, the scheduled notificar_cambios_ot) behave.
The checks live in test/airflow/checks/, one module per concern. Ends with 'N passed, M failed'
(scripts/airflow/test.sh reads that line); exits non-zero on any failure.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path

DAGS = Path(__file__).resolve().parents[2] / "dags"

# Before Airflow is imported (by the checks, at run time).
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="omnibot-dagcheck-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
sys.path.insert(0, str(DAGS))  # as Airflow does for its dags folder

# Registering order is running order.
from checks import callback, catalog, cmms, credentials, imports, notify, parameters, roles  # noqa: E402, F401
from checks.support import CHECKS  # noqa: E402

CONCERNS = (imports, catalog, cmms, parameters, roles, callback, credentials, notify)


def main() -> int:
    passed = failed = 0
    ordered = sorted(CHECKS, key=lambda fn: [c.__name__ for c in CONCERNS].index(fn.__module__))
    for fn in ordered:
        try:
            fn()
        except Exception:  # noqa: BLE001 - report every failing check
            failed += 1
            print(f"FAIL {fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}\n{traceback.format_exc()}", flush=True)
        else:
            passed += 1
            print(f"ok   {fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
