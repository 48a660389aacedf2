"""The DAGs' half of the CMMS parity test (test/airflow/cmms-parity.test.ts): runs each case of
test/fixtures/cmms-parity.json through dags/omnibot_common/cmms.py's CmmsClient against the test's
local CMMS (`<base>/<case index>/api/`) and prints one JSON result per case: {code, numeroots?}.

Usage: python3 test/airflow/cmms_parity.py http://127.0.0.1:<port>   (needs `requests`)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "dags"))  # as Airflow does for its dags folder

from omnibot_common.cmms import CmmsClient  # noqa: E402
from omnibot_common.errors import WorkflowFailure  # noqa: E402
from omnibot_common.summaries import is_pending, pending_sort_key  # noqa: E402

CASES = json.loads((REPO / "test" / "fixtures" / "cmms-parity.json").read_text(encoding="utf-8"))["cases"]


def run(client: CmmsClient, call: str) -> dict:
    """The case's call as the DAGs make it (listar_ot_pendientes filters and sorts with summaries.py)."""
    if call == "listEquipment":
        client.list_equipment()
    elif call == "findWorkOrder":
        client.find_work_order("OT-1")
    elif call == "reportFailure":
        client.report_failure({"idequipo": 1, "descripcionproblemareportado": "Fuga de aceite"})
    elif call == "listPendingWorkOrders":
        pending = sorted((o for o in client.list_work_orders() if is_pending(o)), key=pending_sort_key)
        return {"code": "ok", "numeroots": [o.get("numeroot") for o in pending]}
    else:
        raise ValueError(f"unknown call {call}")
    return {"code": "ok"}


def main(base: str) -> None:
    results = []
    for index, case in enumerate(CASES):
        # Only a token: a case whose TypeScript client logs in meets the refusal as a 401 here.
        client = CmmsClient(f"{base.rstrip('/')}/{index}/api/", "parity-token", timeout=5)
        try:
            results.append(run(client, case["call"]))
        except WorkflowFailure as failure:
            results.append({"code": failure.code})
        except Exception as exc:  # noqa: BLE001 - an unexpected error is the DAGs' workflow_error
            results.append({"code": "workflow_error", "message": repr(exc)})
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
