"""omnibot Airflow DAG `listar_mis_ot`: the user's work orders. filtro `mias`: those the user requested
or is assigned to: the open ones (most urgent first, at most the catalog's `limit`), then the most
recent closed ones (at most `closedLimit`); `asignadas`: open ones assigned to the user, most urgent
first, at most `limit`. `total` counts them all, `open` the open ones.

Described in workflows/catalog.json (parameters, constants, texts, errors); its TypeScript side is
workflows/listar_mis_ot.ts, with the same result shape {total, open, orders, filtro}. conf =
{conversation_id, run_id, callback_url, params, acting_as?, credentials_url?}; the last task POSTs the
signed result.
"""

from __future__ import annotations

from omnibot_common.catalog import constants
from omnibot_common.cmms import CmmsClient
from omnibot_common.dag_factory import build_workflow_dag
from omnibot_common.order_actions import is_user
from omnibot_common.summaries import is_pending, pending_sort_key, sort_mine, summarize_work_order
from omnibot_common.workflows import RunInfo


def my_orders(orders: list[dict], user: int, filtro: str) -> list[dict]:
    """The user's orders by `filtro`, in the order they are listed (as myOrders in TypeScript)."""
    if filtro == "asignadas":
        return sorted((o for o in orders if is_user(o.get("idtecnicoasignado"), user) and is_pending(o)), key=pending_sort_key)
    return sort_mine([o for o in orders if is_user(o.get("idsolicitante"), user) or is_user(o.get("idtecnicoasignado"), user)])


def listar_mis_ot(client: CmmsClient, params: dict, run: RunInfo | None = None) -> dict:
    mine = my_orders(client.list_work_orders(), params["idusuario"], params["filtro"])
    limits = constants("listar_mis_ot")
    open_ones = [o for o in mine if is_pending(o)]
    closed = [o for o in mine if not is_pending(o)]
    listed = open_ones[: int(limits["limit"])] + closed[: int(limits["closedLimit"])]
    return {"total": len(mine), "open": len(open_ones), "orders": [summarize_work_order(o) for o in listed], "filtro": params["filtro"]}


dag = build_workflow_dag("listar_mis_ot", listar_mis_ot)
