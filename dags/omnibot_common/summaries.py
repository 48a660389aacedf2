"""Result shapes, identical to core/workflows/results.ts (field names are the CMMS API's own), and the
pending rule of core/cmms/pending.ts: states and priorities compared with case and accents ignored."""

from __future__ import annotations

from functools import lru_cache

from .catalog import closed_work_order_states, cmms_priorities, constants
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
    "idsolicitante",
    "idtecnicoasignado",
    "solicitante_nombre",
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


def summarize_user(raw: dict) -> dict:
    """A user of `users/`, as summarizeUser in core/workflows/results.ts: the role from
    `usuarios.nombrerol`, else `rol` (its `nombre`, or the text itself); the full name from the first
    and last names, else the username."""
    username = "" if raw.get("username") is None else str(raw.get("username"))
    parts = [raw.get("first_name"), raw.get("last_name")]
    full_name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    profile = raw.get("usuarios")
    rol = raw.get("rol")
    candidates = [profile.get("nombrerol") if isinstance(profile, dict) else None, rol.get("nombre") if isinstance(rol, dict) else rol]
    role = next((name.strip() for name in candidates if isinstance(name, str) and name.strip()), None)
    user_id = raw.get("id")
    return {"id": int(user_id.strip() if isinstance(user_id, str) else user_id), "username": username, "fullName": full_name or username, "role": role}


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


@lru_cache(maxsize=1)
def _reported_states() -> frozenset[str]:
    return frozenset(fold_text(state) for state in constants("listar_ot_sin_asignar")["reportedStates"])


def is_reported(order: dict) -> bool:
    """In a state of a reported order (Abierta, v2's Pendiente…), as isReportedState."""
    return _folded(order, "estado_nombre") in _reported_states()


def is_unassigned(order: dict) -> bool:
    """Open and not yet assigned by a supervisor, as isUnassigned: reported (whoever the CMMS put as its
    technician: it puts the reporter) or with no technician."""
    technician = order.get("idtecnicoasignado")
    return is_pending(order) and (is_reported(order) or technician is None or str(technician).strip() == "")


def in_state(order: dict, name: str) -> bool:
    """Whether the order is in the state `name` (case and accents ignored), as isInState."""
    return _folded(order, "estado_nombre") == fold_text(name)


def sort_mine(orders: list[dict]) -> list[dict]:
    """A user's orders, as compareMine in workflows/pending.ts: open ones first (pending_sort_key), then
    closed ones, the most recently created first (then the highest id)."""
    open_ones = sorted((o for o in orders if is_pending(o)), key=pending_sort_key)
    closed = sorted(
        (o for o in orders if not is_pending(o)),
        key=lambda o: (str(o.get("fechacreacionot") or ""), o.get("idordentrabajo") or 0),
        reverse=True,
    )
    return open_ones + closed
