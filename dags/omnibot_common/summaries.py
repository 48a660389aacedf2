"""Result shapes, identical to core/workflows/results.ts (field names are the CMMS API's own)."""

from __future__ import annotations

import unicodedata

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

CLOSED_STATES = {"completada", "cancelada"}
PRIORITY_RANK = {"critica": 0, "alta": 1, "media": 2, "baja": 3}
PRIORITY_NAMES = {"critica": "Crítica", "alta": "Alta", "media": "Media", "baja": "Baja"}
PRIORITY_BY_NUMBER = {"1": "Baja", "2": "Media", "3": "Alta", "4": "Crítica"}
PENDING_LIMIT = 10


def fold(text: object) -> str:
    """Lower-case without accents: 'Crítica' -> 'critica'."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


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
