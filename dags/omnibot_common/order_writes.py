"""The CMMS writes, as core/cmms/order-writes.ts: small functions a later API version can swap one by
one (the order an answer carries, the work-order states by name, a change of an order, completing it).
Plain Python: importable without Airflow, and never reads the catalog at import."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .catalog import cmms_error_code
from .errors import WorkflowFailure
from .fold_text import fold_text


def order_of_answer(body: object, what: str) -> dict:
    """The order an answer carries: the order itself, or some versions' `{message, orden}`. An answer
    without an order's number is no order (a bad response)."""
    order = body.get("orden") if isinstance(body, dict) and "numeroot" not in body else body
    if not isinstance(order, dict) or not str(order.get("numeroot") or "").strip():
        raise WorkflowFailure(cmms_error_code(bad_response=True), f"CMMS answered {what} with no order")
    return order


class WorkOrderStates:
    """The ids of the work-order states by name (`estados-orden-trabajo/`), read once and again only
    when a name is missing; names compared with case and accents ignored."""

    def __init__(self, read: Callable[[], Iterable[dict]]):
        self._read = read
        self._ids: dict[str, int] | None = None

    def _load(self) -> dict[str, int]:
        ids = {}
        for state in self._read():
            state_id, name = state.get("idestadoot"), state.get("nombreestadoot", state.get("nombre"))
            if isinstance(state_id, int) and not isinstance(state_id, bool) and state_id > 0 and isinstance(name, str):
                ids[fold_text(name)] = state_id
        self._ids = ids
        return ids

    def id_of(self, name: str) -> int:
        key = fold_text(name)
        state_id = (self._ids if self._ids is not None else self._load()).get(key)
        if state_id is None:
            state_id = self._load().get(key)
        if state_id is None:
            raise WorkflowFailure(cmms_error_code(bad_response=True), f"CMMS has no work-order state named {name}")
        return state_id


def change_body(change: dict, states: WorkOrderStates) -> dict:
    """`PATCH ordenes-trabajo/{id}/`: `{idtecnicoasignado?, idestadoot?}` from `{idtecnicoasignado?, estado?}`."""
    body = {}
    if change.get("idtecnicoasignado") is not None:
        body["idtecnicoasignado"] = change["idtecnicoasignado"]
    if change.get("estado") is not None:
        body["idestadoot"] = states.id_of(change["estado"])
    return body


def complete_body(observaciones: str, minutos: int) -> dict:
    """`POST ordenes-trabajo/{id}/completar/`."""
    return {"observacionesfinales": observaciones, "tiempototalminutos": minutos}
