"""The later CMMS API (`cmms_api_prefix` = `/api/v2/`), as core/cmms/v2.ts speaks it: functions that
receive the DAG's CmmsClient (they own no HTTP). That API has no `reportar-falla/` (405) nor
`completar/` (404): an order is created with `POST ordenes-trabajo/` and every field it requires (the
client makes up its `numeroot`), completed with a PATCH, found with `search/ordenes/?search=`; its
states are looked up by name with synonyms (seeds differ); its users are `usuarios/`; its errors are
`{error, message, code, details, timestamp}`. The login stays at `{cmms_url}/api/login/`.

Plain Python (no Airflow, no import of cmms.py at import time): cmms_http.py may read error_message.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from urllib.parse import quote

from .catalog import cmms_error_code
from .errors import WorkflowFailure
from .fold_text import fold_text

USERS_ROUTE = "usuarios/"
NUMEROOT_MAX = 50
ERROR_MESSAGE_MAX = 200  # as CMMS_ERROR_MESSAGE_MAX in core/cmms/v2-errors.ts

# As STATE_SYNONYMS in core/cmms/v2-catalogs.ts: each group one state, the preferred name first.
STATE_SYNONYMS = (
    ("Abierta", "Pendiente", "Abierto", "Nueva"),
    ("Asignada", "Asignado"),
    ("En Progreso", "En Proceso", "En Ejecución", "En Curso"),
    ("Completada", "Completado", "Finalizada", "Terminada", "Cerrada"),
    ("Cancelada", "Cancelado", "Anulada"),
)
MAINTENANCE_TYPE_SYNONYMS = (("Correctivo", "Correctiva", "Mantenimiento Correctivo"),)
_STATES = ("estados-orden-trabajo/", "idestadoot", ("nombreestadoot", "nombre"), STATE_SYNONYMS)
_TYPES = ("tipos-mantenimiento-ot/", "idtipomantenimientoot", ("nombretipomantenimientoot", "nombretipo", "nombre"), MAINTENANCE_TYPE_SYNONYMS)


def is_v2(base_url_or_prefix: str) -> bool:
    """True for `/api/v2/` (a prefix or an API base URL ending in it), however slashed."""
    return re.search(r"(^|/)v2/*$", (base_url_or_prefix or "").strip()) is not None


def log_safe(text: str, limit: int = ERROR_MESSAGE_MAX) -> str:
    """One line: control characters as spaces, runs of spaces as one, cut at `limit` (ends with …)."""
    line = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def error_message(body: object) -> str | None:
    """The message of a parsed error answer of either API (as cmmsErrorMessage), or None."""
    if isinstance(body, str):
        return log_safe(body) if body.strip() else None
    if not isinstance(body, dict):
        return None
    if body.get("error") is True or (isinstance(body.get("message"), str) and "code" in body):
        message = body.get("message") if isinstance(body.get("message"), str) and body["message"].strip() else "An error occurred"
        code = body.get("code")
        return log_safe(message + (f" ({code})" if isinstance(code, str) and code != "API_ERROR" else ""))
    for key in ("error", "detail"):
        if isinstance(body.get(key), str) and body[key].strip():
            return log_safe(body[key])
    parts = []
    for field, value in body.items():
        texts = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
        if texts:
            parts.append(" ".join(texts) if field == "non_field_errors" else f"{field}: {' '.join(texts)}")
    return log_safe("; ".join(parts)) if parts else None


def error_text(text: str) -> str:
    """The message of an error answer's raw text (as cmmsErrorText): its JSON's, else the text (HTML stripped)."""
    import json

    try:
        parsed = json.loads(text)
    except ValueError:
        return log_safe(re.sub(r"<[^>]*>", " ", text))
    return error_message(parsed) or log_safe(text)


def login_user_id(answer: object) -> int | None:
    """The user id of a login answer (`{token, user: {id}}`), or None."""
    user = answer.get("user") if isinstance(answer, dict) else None
    raw = user.get("id") if isinstance(user, dict) else None
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0 else None


def corrective_order_number(code: str, at: datetime, n: int | None = None) -> str:
    """`OT-CORR-<codigointerno>-<YYYYmmddHHMMSS>-<n>` (UTC, n 100-999), at most 50 characters."""
    stamp = at.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
    n = random.SystemRandom().randint(100, 999) if n is None else n
    room = NUMEROOT_MAX - len(f"OT-CORR--{stamp}-{n}")
    safe = re.sub(r"[^\w.-]+", "-", code, flags=re.ASCII)[: max(1, room)]
    return f"OT-CORR-{safe}-{stamp}-{n}"


def order_of(raw: dict) -> dict:
    """v2 orders have no `fechacreacionot`: the report's time stands for it."""
    if raw.get("fechacreacionot") is None and raw.get("fechareportefalla") is not None:
        return {**raw, "fechacreacionot": raw["fechareportefalla"]}
    return raw


def user_of(raw: dict) -> dict | None:
    """A user of `usuarios/` ({user, rol_nombre, usuario_nombre, usuario_email}) as summarize_user shapes one."""
    nested = raw.get("user") if isinstance(raw.get("user"), dict) else None
    ident = nested.get("id") if nested else raw.get("user", raw.get("user_id"))
    if not isinstance(ident, int) or isinstance(ident, bool) or ident <= 0:
        return None
    email = raw.get("usuario_email") if isinstance(raw.get("usuario_email"), str) else (nested or {}).get("email")
    email_name = email.split("@")[0].strip() if isinstance(email, str) and "@" in email else ""
    username = (nested or {}).get("username") or email_name or str(ident)
    names = " ".join(p for p in ((nested or {}).get("first_name"), (nested or {}).get("last_name")) if isinstance(p, str))
    full = (raw.get("usuario_nombre") if isinstance(raw.get("usuario_nombre"), str) else names).strip() or username
    role = raw.get("rol_nombre").strip() if isinstance(raw.get("rol_nombre"), str) and raw["rol_nombre"].strip() else None
    return {"id": ident, "username": username, "fullName": full, "role": role}


def _names_for(name: str, groups) -> list[str]:
    key = fold_text(name)
    group = next((g for g in groups if any(fold_text(n) == key for n in g)), None)
    return [name] if group is None else [name, *(n for n in group if fold_text(n) != key)]


def _table_id(client, table, name: str) -> int | None:
    """The id of `name` (or a synonym) in a catalog table, read once per client (again on a miss)."""
    route, id_key, name_keys, groups = table
    tables = client.__dict__.setdefault("_cmms_v2_tables", {})
    names = _names_for(name, groups)

    def pick(ids: dict) -> int | None:
        return next((ids[fold_text(n)] for n in names if fold_text(n) in ids), None)

    if route in tables and pick(tables[route]) is not None:
        return pick(tables[route])
    ids: dict[str, int] = {}
    for row in client.iter_list(route):
        ident = row.get(id_key)
        label = next((row[k] for k in name_keys if isinstance(row.get(k), str)), None)
        if isinstance(ident, int) and ident > 0 and label is not None:
            ids.setdefault(fold_text(label), ident)
    tables[route] = ids
    return pick(ids)


def state_id(client, name: str, *, required: bool = True) -> int | None:
    """A work-order state's id by name or synonym (En Progreso ≈ En Proceso, Abierta ≈ Pendiente)."""
    found = _table_id(client, _STATES, name)
    if found is None and required:
        raise WorkflowFailure(cmms_error_code(bad_response=True), f"CMMS has no work-order state named {name}")
    return found


def _status(failure: WorkflowFailure) -> int | None:
    return getattr(failure, "status", None)


def acting_user_id(client) -> int | None:
    """Whoever acts: `client.acting_user_id` (a linked user's, from conf.acting_as), else the service
    account's, from its login answer (logging in when it has not yet); None with only a token."""
    known = getattr(client, "acting_user_id", None)
    if known is not None or getattr(client, "login", None) is None:
        return known
    from .cmms_login import refused_login, token_of

    try:
        answer = client._call("POST", client.login.url, json=client.login.body(), idempotent=True, anonymous=True)
    except WorkflowFailure as failure:
        raise refused_login(failure) from None
    client._use_token(token_of(answer))
    client.acting_user_id = login_user_id(answer)
    return client.acting_user_id


def _equipment_code(client, idequipo: int) -> str:
    try:
        body = client.request("GET", client._url(f"equipos/{idequipo}/"))
    except WorkflowFailure as failure:
        if _status(failure) != 404:
            raise
        raise WorkflowFailure(cmms_error_code(400), f"CMMS has no equipment {idequipo}", status=400) from None
    code = body.get("codigointerno") if isinstance(body, dict) else None
    return code.strip() if isinstance(code, str) and code.strip() else str(idequipo)


def _order_answer(body: object, what: str) -> dict:
    order = body.get("orden") if isinstance(body, dict) and "numeroot" not in body else body
    if not isinstance(order, dict) or not str(order.get("numeroot") or "").strip():
        raise WorkflowFailure(cmms_error_code(bad_response=True), f"CMMS answered {what} with no order")
    return order_of(order)


def create_corrective_order(client, body: dict, *, retry_safe: bool = False, now: datetime | None = None) -> dict:
    """The DAG's reportar-falla body ({idequipo, descripcionproblemareportado, prioridad?,
    observacionesadicionales?}) as v2's `POST ordenes-trabajo/`: requester and technician the acting
    user, Correctivo, Abierta (else Pendiente), the observations in observacionesfinales. A 400 (v2
    hides which field: a number taken meanwhile) is tried once more with a new number."""
    user_id = acting_user_id(client)
    if user_id is None:
        raise WorkflowFailure(
            "config_missing",
            "cmms_api_prefix /api/v2/ needs the requester of a failure report: set the Airflow Variables "
            "cmms_username/cmms_password (CMMS_USERNAME/CMMS_PASSWORD); a cmms_token alone does not say whose it is",
        )
    idequipo = body["idequipo"]
    code = _equipment_code(client, idequipo)
    type_id = _table_id(client, _TYPES, "Correctivo")
    if type_id is None:
        raise WorkflowFailure(cmms_error_code(bad_response=True), "CMMS has no maintenance type named Correctivo")
    at = now or datetime.now(timezone.utc)
    fields = {
        "idequipo": idequipo,
        "idtipomantenimientoot": type_id,
        "idestadoot": state_id(client, "Abierta"),
        "idsolicitante": user_id,
        "idtecnicoasignado": user_id,
        "prioridad": body.get("prioridad") or "Alta",
        "descripcionproblemareportado": body["descripcionproblemareportado"],
        "fechareportefalla": at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
    }
    if body.get("observacionesadicionales"):
        fields["observacionesfinales"] = body["observacionesadicionales"]

    def create() -> object:
        numbered = {"numeroot": corrective_order_number(code, at), **fields}
        return client.request("POST", client._url("ordenes-trabajo/"), json=numbered, idempotent=retry_safe)

    try:
        created = create()
    except WorkflowFailure as failure:
        if _status(failure) != 400:
            raise
        created = create()
    return _order_answer(created, "the creation of an order")


def find_order_by_number(client, numeroot: str) -> dict | None:
    """`search/ordenes/?search=` (10 results at most): the exact number (case ignored), else None
    (which proves nothing: the caller pages as before). A CMMS without the route (404) is None too."""
    wanted = str(numeroot or "").strip().upper()
    if not wanted:
        return None
    try:
        body = client.request("GET", client._url(f"search/ordenes/?search={quote(str(numeroot).strip(), safe='')}"))
    except WorkflowFailure as failure:
        if _status(failure) == 404:
            return None
        raise
    results = body.get("results") if isinstance(body, dict) else body
    for order in results if isinstance(results, list) else []:
        if isinstance(order, dict) and str(order.get("numeroot") or "").strip().upper() == wanted:
            return order_of(order)
    return None


def complete_order(client, order_id: int, observaciones: str, minutos: int, *, now: datetime | None = None) -> dict:
    """PATCH {idestadoot: Completada, fechacompletado, observacionesfinales, tiempototalminutos}."""
    at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    patch = {
        "idestadoot": state_id(client, "Completada"),
        "fechacompletado": at,
        "observacionesfinales": observaciones,
        "tiempototalminutos": minutos,
    }
    answer = client.request("PATCH", client._url(f"ordenes-trabajo/{order_id}/"), json=patch, idempotent=True)
    return _order_answer(answer, "the completion of an order")


def change_order(client, order_id: int, *, estado: str | None = None, idtecnicoasignado: int | None = None) -> dict:
    """PATCH of the technician and/or the state (by name or synonym). A CMMS without that state (no
    Asignada in some seeds) still gets the technician; a missing state alone is a bad response."""
    patch: dict = {}
    if idtecnicoasignado is not None:
        patch["idtecnicoasignado"] = idtecnicoasignado
    if estado is not None:
        found = state_id(client, estado, required=idtecnicoasignado is None)
        if found is not None:
            patch["idestadoot"] = found
    answer = client.request("PATCH", client._url(f"ordenes-trabajo/{order_id}/"), json=patch, idempotent=True)
    return _order_answer(answer, "the change of an order")
