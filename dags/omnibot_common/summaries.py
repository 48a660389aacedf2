"""Result shapes, identical to core/workflows/results.ts (field names are the CMMS API's own), and the
pending rule of core/cmms/pending.ts: states and priorities compared with case and accents ignored."""

from __future__ import annotations

from functools import lru_cache

from .catalog import closed_work_order_states, cmms_priorities
from .fold_text import fold_text

WORK_ORDER_FIELDS = (
    "idordentrabajo",
    "numeroot",
    "equipo_nombre",
    "estado_nombre",
    "tipo_mantenimiento_nombre",
    "prioridad",
    "tecnico_nombre",
    "fechacreacionot",
    "descripcionproblemareportado",
)


def summarize_work_order(raw: dict) -> dict:
    return {key: raw.get(key) for key in WORK_ORDER_FIELDS}


def summarize_equipment(raw: dict) -> dict:
    return {
        "idequipo": int(raw["idequipo"]),
        "codigointerno": raw.get("codigointerno"),
        "nombreequipo": str(raw.get("nombreequipo") or ""),
        "marca": raw.get("marca"),
        "modelo": raw.get("modelo"),
        "estado_nombre": raw.get("estado_nombre"),
        "faena_nombre": raw.get("faena_nombre"),
    }


# From the workflow catalog, read when first needed (never at import).
@lru_cache(maxsize=1)
def _closed_states() -> frozenset[str]:
    return frozenset(fold_text(state) for state in closed_work_order_states())


@lru_cache(maxsize=1)
def _priority_ranks() -> dict[str, int]:
    """Folded priority name -> rank, 0 the most urgent (the catalog lists the least urgent first)."""
    names = cmms_priorities()
    return {fold_text(name): len(names) - 1 - i for i, name in enumerate(names)}


def _folded(order: dict, field: str) -> str:
    value = order.get(field)
    return fold_text("" if value is None else str(value))


def is_pending(order: dict) -> bool:
    return _folded(order, "estado_nombre") not in _closed_states()


def pending_sort_key(order: dict) -> tuple:
    """Most urgent first (Crítica > Alta > Media > Baja > unknown), then oldest first."""
    ranks = _priority_ranks()
    rank = ranks.get(_folded(order, "prioridad"), len(ranks))
    return (rank, str(order.get("fechacreacionot") or "9999"), order.get("idordentrabajo") or 0)
