"""Result shapes, identical to core/workflows/results.ts (field names are the CMMS API's own)."""

from __future__ import annotations

import unicodedata

from .catalog import closed_work_order_states, cmms_priorities

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


def fold(text: object) -> str:
    """Lower-case without accents: 'Crítica' -> 'critica'."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# From the workflow catalog: priorities least urgent first, numbered 1-4 in that order.
_PRIORITIES = cmms_priorities()
CLOSED_STATES = {fold(state) for state in closed_work_order_states()}
PRIORITY_RANK = {fold(name): len(_PRIORITIES) - 1 - i for i, name in enumerate(_PRIORITIES)}  # 0 = most urgent
PRIORITY_NAMES = {fold(name): name for name in _PRIORITIES}
PRIORITY_BY_NUMBER = {str(i + 1): name for i, name in enumerate(_PRIORITIES)}


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


def normalize_priority(value: object) -> str | None:
    """'alta' / 'ALTA' / 'critica' / '3' -> the CMMS name; None when empty or unknown."""
    key = fold(value)
    if key in PRIORITY_BY_NUMBER:
        return PRIORITY_BY_NUMBER[key]
    return PRIORITY_NAMES.get(key)


def is_pending(order: dict) -> bool:
    return fold(order.get("estado_nombre")) not in CLOSED_STATES


def pending_sort_key(order: dict) -> tuple:
    """Most urgent first (Crítica > Alta > Media > Baja > unknown), then oldest first."""
    rank = PRIORITY_RANK.get(fold(order.get("prioridad")), len(PRIORITY_RANK))
    return (rank, str(order.get("fechacreacionot") or "9999"), order.get("idordentrabajo") or 0)
