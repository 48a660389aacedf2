"""A run acting for a linked user (dags/omnibot_common/credentials.py, dag_factory.py): the DAG fetches
the user's token from the gateway's signed credential endpoint (naming its own run_id and dag_id, never
the conf's, and the CMMS user it acts for; the Variable omnibot_credentials_url wins over the conf's
URL) and calls the CMMS with it, never with the service account; a user-only workflow without
acting_as ends as identity_expired before any call; a refused link (403) or a refused token (CMMS 401)
ends as identity_expired, a CMMS 403 as not_allowed; the token is never in the result, the XComs or the
logs. Against a tiny local HTTP server playing the gateway and the CMMS."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .support import CATALOG, check, dag_module

SECRET = "callback-secret-for-the-check"
TOKENS = {"web:tecnico1": "user-token-3f9a1c", "web:logged-out": "stale-token-77b2"}  # conversation -> token
ORDERS = [
    {"idordentrabajo": 1, "numeroot": "OT-1", "estado_nombre": "Asignada", "prioridad": "Alta", "idtecnicoasignado": 10, "idsolicitante": 3},
    {"idordentrabajo": 2, "numeroot": "OT-2", "estado_nombre": "Abierta", "prioridad": "Baja", "idtecnicoasignado": None, "idsolicitante": 3},
]


class Gateway(BaseHTTPRequestHandler):
    """POST /api/bot/credentials as the gateway answers it; /api/... as a CMMS that knows one live token."""

    requests: list = []

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        signature = self.headers.get("X-Omnibot-Signature", "")
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        Gateway.requests.append(("POST", self.path, json.loads(raw), signature == expected))
        if signature != expected:
            return self._reply(401, {"error": "unauthorized"})
        token = TOKENS.get(json.loads(raw)["conversation_id"])
        return self._reply(200, {"token": token}) if token else self._reply(403, {"error": "identity_expired"})

    def do_GET(self):
        auth = self.headers.get("Authorization")
        Gateway.requests.append(("GET", self.path, auth, None))
        if auth != f"Token {TOKENS['web:tecnico1']}":
            return self._reply(401, {"detail": "Token inválido."})
        if self.path.startswith("/api/users/"):
            return self._reply(403, {"detail": "Usted no tiene permiso para realizar esta acción."})
        return self._reply(200, {"count": len(ORDERS), "next": None, "results": ORDERS})


@contextmanager
def gateway():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


DAG_RUN_ID = "manual__r1"  # the DAG run's own id: not the conf's run_id


def run_result_task(dag_id: str, conf: dict, url: str, **more_variables: str) -> tuple[object, dict, str]:
    """Runs a DAG's `result` task body outside Airflow with `conf`, the Variables pointing at `url`
    (a service account that could log in, too) plus `more_variables`: what it returned or raised, its
    XComs, its logs."""
    from omnibot_common import dag_factory, settings

    pushed: dict = {}

    class TaskInstance:
        try_number = 1

        def xcom_push(self, key, value):
            pushed[key] = value

    class DagRun:
        run_id = DAG_RUN_ID
        start_date = None

    DagRun.conf = conf
    variables = {"cmms_url": url, "cmms_username": "omnibot", "cmms_password": "pw", "omnibot_callback_secret": SECRET, **more_variables}
    saved = dag_factory.get_current_context, settings._variable
    dag_factory.get_current_context = lambda: {"ti": TaskInstance(), "dag_run": DagRun()}
    settings._variable = lambda key, default=None: variables.get(key, default)
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    logging.getLogger().addHandler(handler)
    try:
        task = {t.task_id: t for t in dag_factory.build_workflow_dag(dag_id, dag_module(dag_id).__dict__[dag_id]).tasks}["result"]
        try:
            outcome = task.python_callable()
        except BaseException as exc:  # noqa: BLE001 - the raised exception is what is checked
            outcome = exc
        return outcome, pushed, logs.getvalue()
    finally:
        logging.getLogger().removeHandler(handler)
        dag_factory.get_current_context, settings._variable = saved


def _conf(url: str, conversation_id: str, params: dict) -> dict:
    return {
        "conversation_id": conversation_id,
        "run_id": "listar_mis_ot:r1",
        "callback_url": f"{url}/api/bot/webhook",
        "params": params,
        "acting_as": {"cmms_user_id": 10, "username": "tecnico1"},
        "credentials_url": f"{url}/api/bot/credentials",
    }


@check
def a_run_acting_as_a_user_calls_the_cmms_with_the_token_from_the_signed_credential_request():
    params = {"idusuario": 10, "filtro": "asignadas"}
    with gateway() as url:
        result, pushed, logs = run_result_task("listar_mis_ot", _conf(url, "web:tecnico1", params), url)
    assert isinstance(result, dict) and [o["numeroot"] for o in result["orders"]] == ["OT-1"], result
    method, path, body, signed = Gateway.requests[0]
    assert (method, path, signed) == ("POST", "/api/bot/credentials", True), Gateway.requests[0]
    # The DAG run's own run_id and dag_id (never the conf's), and the CMMS user it acts for.
    assert set(body) == {"conversation_id", "run_id", "dag_id", "cmms_user_id", "ts"}, body
    assert (body["conversation_id"], body["run_id"], body["dag_id"], body["cmms_user_id"]) == ("web:tecnico1", DAG_RUN_ID, "listar_mis_ot", 10), body
    assert isinstance(body["ts"], int), body
    cmms_calls = [r for r in Gateway.requests if r[0] == "GET"]
    assert cmms_calls and all(auth == f"Token {TOKENS['web:tecnico1']}" for _, _, auth, _ in cmms_calls), cmms_calls
    assert not any("login" in path for _, path, _, _ in Gateway.requests), Gateway.requests  # no service login
    token = TOKENS["web:tecnico1"]
    assert token not in json.dumps(result) and token not in json.dumps(pushed) and token not in logs, (pushed, logs)


@check
def a_gone_link_403_or_a_refused_token_401_ends_as_identity_expired_without_a_service_login():
    from airflow.sdk.exceptions import AirflowFailException

    for conversation in ("web:unlinked", "web:logged-out"):
        with gateway() as url:
            raised, pushed, logs = run_result_task("listar_mis_ot", _conf(url, conversation, {"idusuario": 10, "filtro": "mias"}), url)
        assert isinstance(raised, AirflowFailException), (conversation, repr(raised))
        assert pushed["error"]["code"] == "identity_expired", (conversation, pushed)
        assert not any("login" in path for _, path, _, _ in Gateway.requests), Gateway.requests
        assert TOKENS["web:logged-out"] not in json.dumps(pushed) + logs, (pushed, logs)


@check
def the_variable_omnibot_credentials_url_wins_over_the_conf():
    params = {"idusuario": 10, "filtro": "asignadas"}
    with gateway() as url:
        conf = {**_conf(url, "web:tecnico1", params), "credentials_url": "http://127.0.0.1:9/elsewhere"}
        result, _, _ = run_result_task("listar_mis_ot", conf, url, omnibot_credentials_url=f"{url}/api/bot/credentials")
    assert isinstance(result, dict) and result["total"] == 1, repr(result)
    assert Gateway.requests[0][:2] == ("POST", "/api/bot/credentials"), Gateway.requests


@check
def a_user_only_workflow_without_acting_as_ends_as_identity_expired_before_any_call():
    from airflow.sdk.exceptions import AirflowFailException

    from omnibot_common.catalog import requires_user

    user_only = {dag_id for dag_id, entry in CATALOG["workflows"].items() if entry.get("actsAs") == "user"}
    assert user_only == {"listar_mis_ot", "listar_ot_sin_asignar", "iniciar_ot", "completar_ot", "asignar_ot"}, user_only
    assert all(requires_user(dag_id) == (dag_id in user_only) for dag_id in CATALOG["workflows"])
    runs = {
        "listar_mis_ot": {"idusuario": 10, "filtro": "mias"},
        "listar_ot_sin_asignar": {},
        "iniciar_ot": {"numeroot": "OT-1", "idusuario": 10},
        "completar_ot": {"numeroot": "OT-1", "idusuario": 10, "observaciones": "Listo", "minutos": 30},
        "asignar_ot": {"numeroot": "OT-2", "idtecnico": 10},
    }
    for dag_id, params in runs.items():
        with gateway() as url:
            conf = {k: v for k, v in _conf(url, "web:tecnico1", params).items() if k not in ("acting_as", "credentials_url")}
            raised, pushed, _ = run_result_task(dag_id, conf, url)
        assert isinstance(raised, AirflowFailException), (dag_id, repr(raised))
        assert pushed["error"]["code"] == "identity_expired", (dag_id, pushed)
        assert Gateway.requests == [], (dag_id, Gateway.requests)  # neither the CMMS nor a service login


@check
def a_conf_acting_as_without_a_user_id_is_refused_before_the_credential_request():
    from airflow.sdk.exceptions import AirflowFailException

    with gateway() as url:
        conf = {**_conf(url, "web:tecnico1", {"idusuario": 10, "filtro": "mias"}), "acting_as": {"username": "tecnico1"}}
        raised, pushed, _ = run_result_task("listar_mis_ot", conf, url)
    assert isinstance(raised, AirflowFailException) and pushed["error"]["code"] == "config_missing", (repr(raised), pushed)
    assert Gateway.requests == [], Gateway.requests


@check
def fetch_user_token_signs_the_body_and_names_each_refusal():
    from omnibot_common.credentials import fetch_user_token
    from omnibot_common.errors import WorkflowFailure

    with gateway() as url:
        who = {"run_id": "r9", "dag_id": "iniciar_ot", "cmms_user_id": 10}
        token = fetch_user_token(f"{url}/api/bot/credentials", SECRET, conversation_id="web:tecnico1", **who, now=lambda: 1_800_000_000.7)
        assert token == TOKENS["web:tecnico1"]
        assert Gateway.requests[-1][2] == {"conversation_id": "web:tecnico1", **who, "ts": 1_800_000_000}
        for secret, conversation, code in ((SECRET, "web:nobody", "identity_expired"), ("another-secret", "web:tecnico1", "config_missing")):
            try:
                fetch_user_token(f"{url}/api/bot/credentials", secret, conversation_id=conversation, **who)
            except WorkflowFailure as failure:
                assert (failure.code, failure.retryable) == (code, False), (failure.code, failure.message)
            else:
                raise AssertionError(f"{conversation} must fail")
    try:
        fetch_user_token("http://127.0.0.1:9/api/bot/credentials", SECRET, conversation_id="c", run_id="r", dag_id="iniciar_ot", cmms_user_id=1, timeout=2)
    except WorkflowFailure as failure:
        assert failure.retryable, failure.message  # the gateway unreachable: Airflow tries the task again
    else:
        raise AssertionError("an unreachable gateway must fail")


@check
def a_users_client_never_logs_in_and_names_401_identity_expired_403_not_allowed():
    from omnibot_common.cmms import CmmsClient
    from omnibot_common.cmms_login import CmmsLogin
    from omnibot_common.errors import WorkflowFailure

    try:
        CmmsClient("http://c/api/", "t", as_user=True, login=CmmsLogin("http://c/api/login/", "omnibot", "pw"))
    except ValueError:
        pass
    else:
        raise AssertionError("a user's client with a service login must be refused")
    with gateway() as url:
        for token, call, code in ((TOKENS["web:tecnico1"], "list_users", "not_allowed"), ("stale", "list_work_orders", "identity_expired")):
            try:
                getattr(CmmsClient(f"{url}/api/", token, as_user=True), call)()
            except WorkflowFailure as failure:
                assert (failure.code, failure.retryable) == (code, False), (call, failure.code)
            else:
                raise AssertionError(f"{call} must fail")
