"""The DAGs' side of the later CMMS API (dags/omnibot_common/cmms_v2.py), against a tiny in-memory
`/api/v2/` CMMS: orders created with `POST ordenes-trabajo/` as the acting user (a number taken
meanwhile tried once more), found with `search/ordenes/`, completed and changed with a PATCH, states
by synonym across seeds, users of `usuarios/`, and both APIs' error messages, log-safe. The same
behaviours core/cmms/v2.test.ts checks on the TypeScript side. Imported by checks/cmms.py: these
checks run (and are named) as the CMMS concern's."""

from __future__ import annotations

import json as jsonlib
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from .support import check_of

check = check_of("checks.cmms")

SEED_A = ("Abierta", "Asignada", "En Progreso", "Completada", "Cancelada", "Pendiente Aprobación")
SEED_B = ("Pendiente", "En Proceso", "Completada", "Cancelada", "En Espera de Repuestos")


def _error(status: int, message: str = "An error occurred"):
    return status, {"error": True, "message": message, "code": "API_ERROR", "details": None, "timestamp": ""}


class V2Session:
    """A requests.Session stand-in serving a small `/api/v2/` CMMS; `sent` lists (method, path, body)."""

    def __init__(self, states=SEED_A, take_first_number=False):
        self.headers: dict[str, str] = {}
        self.sent: list[tuple[str, str, object]] = []
        self.states = [{"idestadoot": 20 + i, "nombreestadoot": n, "descripcion": ""} for i, n in enumerate(states)]
        self.types = [{"idtipomantenimientoot": 7, "nombretipomantenimientoot": "Preventivo"}, {"idtipomantenimientoot": 8, "nombretipomantenimientoot": "Correctivo"}]
        self.take_first_number = take_first_number
        self.orders = [
            {"idordentrabajo": 56, "numeroot": "OT-CORR-1", "idestadoot": 22, "estado_nombre": "En Progreso", "fechareportefalla": "2026-11-20T14:30:00Z"},
            {"idordentrabajo": 57, "numeroot": "OT-CORR-10", "idestadoot": 20, "estado_nombre": "Abierta", "fechareportefalla": "2026-11-21T14:30:00Z"},
        ]

    def _state_name(self, ident):
        return next((s["nombreestadoot"] for s in self.states if s["idestadoot"] == ident), None)

    def _route(self, method, path, query, body, auth):
        if path == "/api/login/":
            return 200, {"token": "t-3", "user": {"id": 3, "username": "operador1"}, "rol": {"nombre": "Operador"}}
        route = path.removeprefix("/api/v2/")
        if route == "estados-orden-trabajo/":
            return 200, {"count": len(self.states), "next": None, "results": self.states}
        if route == "tipos-mantenimiento-ot/":
            return 200, {"count": 2, "next": None, "results": self.types}
        if route == "usuarios/":
            return 200, {"count": 1, "next": None, "results": [{"user": 10, "idrol": 3, "departamento": "Mantenimiento", "rol_nombre": "Técnico", "usuario_nombre": "Juan Pérez", "usuario_email": "tecnico1@somacor.example"}]}
        if auth is None:
            return _error(401, "Las credenciales de autenticación no se proveyeron.")
        if route.startswith("equipos/"):
            return (200, {"idequipo": 1, "codigointerno": "CAT-001", "nombreequipo": "Excavadora CAT 320"}) if route == "equipos/1/" else _error(404, "No encontrado.")
        if route == "search/ordenes/":
            q = query.get("search", [""])[0].lower()
            return 200, {"results": [o for o in self.orders if q and q in o["numeroot"].lower()][:10]}
        if route == "ordenes-trabajo/reportar-falla/":
            return _error(405, 'Método "POST" no permitido.')
        if route == "ordenes-trabajo/" and method == "POST":
            taken = any(o["numeroot"] == body["numeroot"] for o in self.orders)
            if taken or (self.take_first_number and not any(m == "POST" for m, _, _ in self.sent[:-1])):
                return _error(400)
            order = {**body, "idordentrabajo": 100 + len(self.orders), "estado_nombre": self._state_name(body["idestadoot"])}
            self.orders.append(order)
            return 201, order
        if method == "PATCH" and route.startswith("ordenes-trabajo/"):
            order = next(o for o in self.orders if route == f"ordenes-trabajo/{o['idordentrabajo']}/")
            order.update(body)
            if "idestadoot" in body:
                order["estado_nombre"] = self._state_name(body["idestadoot"])
            return 200, order
        return 404, None

    def request(self, method, url, json=None, timeout=None, headers=None):
        merged = {**self.headers, **(headers or {})}
        parts = urlsplit(url)
        self.sent.append((method, parts.path + (f"?{parts.query}" if parts.query else ""), json))
        status, payload = self._route(method, parts.path, parse_qs(parts.query), json, merged.get("Authorization"))

        class Response:
            status_code = status
            text = "<h1>Not Found</h1>" if payload is None else jsonlib.dumps(payload)

            def json(self_inner):
                if payload is None:
                    raise ValueError("not JSON")
                return payload

        return Response()


def _client(session, token="t-10", user_id=10, login=False):
    from omnibot_common.cmms import CmmsClient, api_base
    from omnibot_common.cmms_login import CmmsLogin, login_url

    account = CmmsLogin(login_url("http://c"), "operador1", "operador1") if login else None
    client = CmmsClient(api_base("http://c", "/api/v2/"), token, session=session, login=account)
    if user_id is not None:
        client.acting_user_id = user_id  # as a DAG sets it from conf.acting_as
    return client


BODY = {"idequipo": 1, "descripcionproblemareportado": "Fuga de aceite en el brazo", "observacionesadicionales": "Reportado por Juan Pérez vía WhatsApp\nReportada por el asistente omnibot (ref. 0123456789abcdef)"}


@check
def v2_is_picked_by_prefix_and_reports_with_the_create_route_as_the_acting_user():
    from omnibot_common.cmms_v2 import create_corrective_order, is_v2

    assert all(is_v2(p) for p in ("/api/v2/", "api/v2", "http://c/api/v2/")), "v2 prefixes"
    assert not any(is_v2(p) for p in ("/api/", "", "/api/v20/")), "original prefixes"
    session = V2Session()
    at = datetime(2026, 11, 24, 17, 4, 14, tzinfo=timezone.utc)
    order = create_corrective_order(_client(session), BODY, retry_safe=True, now=at)
    posts = [(p, b) for m, p, b in session.sent if m == "POST"]
    assert [p for p, _ in posts] == ["/api/v2/ordenes-trabajo/"], session.sent
    sent = posts[0][1]
    assert sent["numeroot"].startswith("OT-CORR-CAT-001-20261124170414-") and len(sent["numeroot"]) == 34, sent["numeroot"]
    expected = {"idsolicitante": 10, "idtecnicoasignado": 10, "idestadoot": 20, "idtipomantenimientoot": 8, "prioridad": "Alta", "fechareportefalla": "2026-11-24T17:04:14Z"}
    assert {k: sent[k] for k in expected} == expected, sent
    assert sent["observacionesfinales"] == BODY["observacionesadicionales"] and "observacionesadicionales" not in sent, sent
    assert order["estado_nombre"] == "Abierta" and order["fechacreacionot"] == "2026-11-24T17:04:14Z", order


@check
def v2_report_tries_once_more_with_a_new_number_when_refused_and_fails_clearly_without_a_requester():
    from omnibot_common.cmms_v2 import create_corrective_order
    from omnibot_common.errors import WorkflowFailure

    session = V2Session(take_first_number=True)
    order = create_corrective_order(_client(session), BODY)
    numbers = [b["numeroot"] for m, _, b in session.sent if m == "POST"]
    assert len(numbers) == 2 and numbers[0] != numbers[1] and order["numeroot"] == numbers[1], numbers
    session = V2Session()
    try:
        create_corrective_order(_client(session, user_id=None), BODY)  # a token alone: whose is it?
    except WorkflowFailure as failure:
        assert failure.code == "config_missing" and "CMMS_USERNAME/CMMS_PASSWORD" in failure.message, failure.message
    else:
        raise AssertionError("a report without a known requester must fail")
    assert not [m for m, _, _ in session.sent if m == "POST"], session.sent
    try:
        create_corrective_order(_client(V2Session()), {**BODY, "idequipo": 99})
    except WorkflowFailure as failure:
        assert (failure.code, failure.status) == ("cmms_rejected", 400), (failure.code, failure.status)
    else:
        raise AssertionError("an unknown equipment must be refused")


@check
def v2_service_account_logs_in_at_api_login_and_reports_as_itself():
    from omnibot_common.cmms_v2 import create_corrective_order

    session = V2Session()
    create_corrective_order(_client(session, token=None, user_id=None, login=True), BODY)
    paths = [p for _, p, _ in session.sent]
    assert paths.count("/api/login/") == 1 and "/api/v2/login/" not in paths, paths
    sent = next(b for m, _, b in session.sent if m == "POST" and b and "numeroot" in b)
    assert (sent["idsolicitante"], sent["idtecnicoasignado"]) == (3, 3), sent


@check
def v2_finds_an_order_by_exact_number_with_one_search():
    from omnibot_common.cmms_v2 import find_order_by_number

    session = V2Session()
    client = _client(session)
    assert find_order_by_number(client, " ot-corr-1 ")["idordentrabajo"] == 56
    assert session.sent == [("GET", "/api/v2/search/ordenes/?search=ot-corr-1", None)], session.sent
    assert find_order_by_number(client, "OT-CORR") is None  # two partial matches, no exact one: page instead
    assert find_order_by_number(client, "OT-CORR-10")["idordentrabajo"] == 57


@check
def v2_completes_and_changes_orders_with_a_patch_and_states_by_synonym():
    from omnibot_common.cmms_v2 import change_order, complete_order, state_id
    from omnibot_common.errors import WorkflowFailure

    session = V2Session()
    client = _client(session)
    done = complete_order(client, 56, "Se cambió el sello", 95, now=datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc))
    patch = session.sent[-1]
    assert patch == ("PATCH", "/api/v2/ordenes-trabajo/56/", {"idestadoot": 23, "fechacompletado": "2026-12-01T10:00:00Z", "observacionesfinales": "Se cambió el sello", "tiempototalminutos": 95}), patch
    assert done["estado_nombre"] == "Completada"
    assert change_order(client, 57, estado="En Proceso")["estado_nombre"] == "En Progreso"
    other = _client(V2Session(states=SEED_B))
    assert (state_id(other, "Abierta"), state_id(other, "En Progreso")) == (20, 21)
    change_order(other, 57, estado="Asignada", idtecnicoasignado=11)  # that seed has no Asignada
    assert other.session.sent[-1] == ("PATCH", "/api/v2/ordenes-trabajo/57/", {"idtecnicoasignado": 11}), other.session.sent[-1]
    try:
        change_order(other, 57, estado="Pendiente Aprobación")
    except WorkflowFailure as failure:
        assert failure.code == "cmms_bad_response", failure.code
    else:
        raise AssertionError("a state the CMMS lacks must fail")


@check
def v2_users_and_both_apis_error_messages_read_log_safe():
    from omnibot_common.cmms_v2 import USERS_ROUTE, error_message, error_text, login_user_id, user_of

    client = _client(V2Session(), token=None, user_id=None)
    users = [user_of(u) for u in client.iter_list(USERS_ROUTE)]
    assert users == [{"id": 10, "username": "tecnico1", "fullName": "Juan Pérez", "role": "Técnico"}], users
    assert user_of({"rol_nombre": "Técnico"}) is None
    assert login_user_id({"token": "t", "user": {"id": 10}}) == 10 and login_user_id({"token": "t"}) is None
    assert error_message(_error(405, 'Método "POST" no permitido.')[1]) == 'Método "POST" no permitido.'
    assert error_message({"error": True, "message": "Orden inválida", "code": "CMMS_ERROR"}) == "Orden inválida (CMMS_ERROR)"
    assert error_message({"detail": "Token inválido."}) == "Token inválido."
    assert error_message({"idequipo": ["Equipo no encontrado."], "non_field_errors": ["Datos inválidos."]}) == "idequipo: Equipo no encontrado.; Datos inválidos."
    assert error_text(jsonlib.dumps({"detail": 'mal\n{"level":"info"}\u0007'})) == 'mal {"level":"info"}'
    assert error_text("<html><h1>Not Found</h1></html>") == "Not Found"
    long = error_text(jsonlib.dumps({"error": True, "message": "x" * 5000, "code": "API_ERROR"}))
    assert len(long) == 200 and long.endswith("…"), len(long)
