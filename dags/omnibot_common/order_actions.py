"""What the DAGs that act on one order share (iniciar_ot, completar_ot, asignar_ot), as
workflows/order-actions.ts: the order by its number or the run fails with order_not_found, whose order
it is, and the first attempt's outcome on a retried task. A write that may have reached the CMMS
without an answer fails retryable (cmms_http.py); Airflow's next try reads the order first and finds
it done."""

from __future__ import annotations

from .errors import WorkflowFailure
from .summaries import is_pending, summarize_work_order
from .workflows import RunInfo


def order_or_fail(client, numeroot: str) -> dict:
    order = client.find_work_order(numeroot)
    if order is None:
        raise WorkflowFailure("order_not_found", f"no work order {numeroot}")
    return order


def is_user(value: object, user: int) -> bool:
    """Whether a CMMS user id (a number, or its digits) is `user`, as isUser."""
    if value is None or isinstance(value, bool):
        return False
    try:
        return float(str(value).strip()) == user
    except ValueError:
        return False


def assigned_or_fail(order: dict, user: int) -> None:
    if not is_user(order.get("idtecnicoasignado"), user):
        raise WorkflowFailure("not_assigned", f"{order.get('numeroot')} is not assigned to user {user}")


def open_or_fail(order: dict) -> None:
    if not is_pending(order):
        raise WorkflowFailure("order_closed", f"{order.get('numeroot')} is {order.get('estado_nombre')}")


def already_done(order: dict, run: RunInfo | None) -> dict:
    """An order found already as the write leaves it: on a retried task (attempt > 1) that is taken as
    the first attempt's doing (changed: true); a first attempt says it already was so."""
    return {"order": summarize_work_order(order), "changed": (run or {}).get("attempt", 1) > 1}


def changed(order: dict) -> dict:
    return {"order": summarize_work_order(order), "changed": True}
