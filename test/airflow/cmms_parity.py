"""The DAGs' half of the CMMS parity test (test/airflow/cmms-parity.test.ts): runs each case of
test/fixtures/cmms-parity.json through dags/omnibot_common/cmms.py's CmmsClient against the test's
local CMMS (`<base>/<case index>/api/`) and prints one JSON result per case: {code, numeroots?}.

Usage: python3 test/airflow/cmms_parity.py http://127.0.0.1:<port>   (needs `requests`)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "dags"))  # as Airflow does for its dags folder

from omnibot_common.cmms import CmmsClient, api_base  # noqa: E402
from omnibot_common.cmms_login import CmmsLogin, login_url  # noqa: E402
from omnibot_common.errors import WorkflowFailure  # noqa: E402
from omnibot_common.summaries import is_pending, pending_sort_key  # noqa: E402

CASES = json.loads((REPO / "test" / "fixtures" / "cmms-parity.json").read_text(encoding="utf-8"))["cases"]


class CountingSession(requests.Session):
    """Counts the HTTP requests the client makes (the TypeScript half counts them at the server)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def request(self, *args, **kwargs):
        self.count += 1
        return super().request(*args, **kwargs)


def pending(client: CmmsClient) -> list[dict]:
    return sorted((o for o in client.list_work_orders() if is_pending(o)), key=pending_sort_key)


def look_up(client: CmmsClient, session: CountingSession, case: dict) -> dict:
    """findWorkOrders: each look-up in turn on one client, with what it found and the requests it made."""
    if case.get("pendingFirst"):
        pending(client)
    found, counts = [], []
    for numeroot in case.get("lookups", []):
        before = session.count
        order = client.find_work_order(numeroot)
        found.append(order.get("numeroot") if order else None)
        counts.append(session.count - before)
    return {"code": "ok", "found": found, "requests": counts}


def change(client: CmmsClient, session: CountingSession) -> dict:
    """updateWorkOrder: the same change twice on one client, with the order each answered and the requests each made."""
    numeroots, counts = [], []
    for _ in range(2):
        before = session.count
        numeroots.append(client.update_work_order(7, {"estado": "En Progreso", "idtecnicoasignado": 10}).get("numeroot"))
        counts.append(session.count - before)
    return {"code": "ok", "numeroots": numeroots, "requests": counts}


def run(client: CmmsClient, session: CountingSession, case: dict) -> dict:
    """The case's call as the DAGs make it (listar_ot_pendientes filters and sorts with summaries.py)."""
    call = case["call"]
    if call == "findWorkOrders":
        return look_up(client, session, case)
    if call == "updateWorkOrder":
        return change(client, session)
    if call == "listWorkOrders":
        return {"code": "ok", "numeroots": [o.get("numeroot") for o in client.list_work_orders()]}
    if call == "listUsers":
        return {"code": "ok", "users": client.list_users()}
    if call == "completeWorkOrder":
        return {"code": "ok", "numeroots": [client.complete_work_order(7, "Sello cambiado", 45).get("numeroot")]}
    if call == "listEquipment":
        client.list_equipment()
    elif call == "findWorkOrder":
        client.find_work_order("OT-1")
    elif call == "reportFailure":
        client.report_failure({"idequipo": 1, "descripcionproblemareportado": "Fuga de aceite"})
    elif call == "listPendingWorkOrders":
        return {"code": "ok", "numeroots": [o.get("numeroot") for o in pending(client)]}
    else:
        raise ValueError(f"unknown call {call}")
    return {"code": "ok"}


def client_for(cmms_url: str, case: dict, session: CountingSession) -> CmmsClient:
    """As the TypeScript half: a token, a service account (Variables cmms_username/cmms_password), both,
    or a linked user's own token (as credentials.py builds it: no login)."""
    credentials = case.get("credentials")
    base = api_base(cmms_url, case.get("apiPrefix", "/api/"))
    if credentials == "user":
        return CmmsClient(base, "user-token", timeout=5, session=session, as_user=True)
    account = CmmsLogin(login_url(cmms_url), "omnibot", "parity-password") if credentials else None
    token = None if credentials == "password" else "parity-token"
    return CmmsClient(base, token, timeout=5, session=session, login=account)


def main(base: str) -> None:
    results = []
    for index, case in enumerate(CASES):
        session = CountingSession()
        client = client_for(f"{base.rstrip('/')}/{index}", case, session)
        try:
            results.append(run(client, session, case))
        except WorkflowFailure as failure:
            results.append({"code": failure.code})
        except Exception as exc:  # noqa: BLE001 - an unexpected error is the DAGs' workflow_error
            results.append({"code": "workflow_error", "message": repr(exc)})
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
