"""The DAGs' CMMS client (dags/omnibot_common/cmms.py): catalog error codes by status, token auth and
pagination, Retry-After and backoff as core/cmms/client.ts, the reported-failure look-up, and the
work-order look-up by cached id or primary key (order_ids.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .support import Answer, FakeSession, ManyOrdersSession, check, dag_module


@check
def a_failed_cmms_call_gets_the_catalog_code_of_its_status():
    import requests

    from omnibot_common.catalog import cmms_error_code, error_codes
    from omnibot_common.cmms import CmmsClient
    from omnibot_common.errors import WorkflowFailure

    answers = {
        "http://c/api/equipos/": Answer(401, {"detail": "Token inválido."}),
        "http://c/api/faenas/": Answer(404, {"detail": "No encontrado."}),
        "http://c/api/ordenes-trabajo/reportar-falla/": Answer(400, {"idequipo": ["Equipo no encontrado."]}),
        "http://c/api/ordenes-trabajo/": Answer(503, {"detail": "Servicio no disponible."}),
        "http://c/api/estados-equipo/": Answer(200, None),
        "http://c/api/login/": requests.ConnectionError("Failed to establish a new connection"),
    }
    expected = {
        "http://c/api/equipos/": ("cmms_auth", cmms_error_code(401), False),
        "http://c/api/faenas/": ("cmms_not_found", cmms_error_code(404), False),
        "http://c/api/ordenes-trabajo/reportar-falla/": ("cmms_rejected", cmms_error_code(400), False),
        "http://c/api/ordenes-trabajo/": ("cmms_error", cmms_error_code(503), True),
        "http://c/api/estados-equipo/": ("cmms_bad_response", cmms_error_code(bad_response=True), False),
        "http://c/api/login/": ("cmms_unreachable", cmms_error_code(None), True),
    }
    client = CmmsClient("http://c/api/", None, session=FakeSession(answers))
    for url, (code, from_table, retryable) in expected.items():
        assert code == from_table and code in error_codes(), (url, code, from_table)
        try:
            client.request("GET", url)
        except WorkflowFailure as failure:
            assert (failure.code, failure.retryable) == (code, retryable), (url, failure.code, failure.retryable)
        else:
            raise AssertionError(f"{url} must fail")


@check
def client_sends_token_auth_and_follows_next_links():
    from omnibot_common.cmms import CmmsClient, api_base

    base = api_base("http://cmms:8000/", "api")
    assert base == "http://cmms:8000/api/", base
    assert api_base("http://cmms:8000", "/api/v2/") == "http://cmms:8000/api/v2/"
    session = FakeSession(
        {
            "http://cmms:8000/api/ordenes-trabajo/": {"count": 3, "next": "http://internal:9/api/ordenes-trabajo/?page=2", "previous": None, "results": [{"numeroot": "OT-1"}, {"numeroot": "OT-2"}]},
            "http://cmms:8000/api/ordenes-trabajo/?page=2": {"count": 3, "next": None, "previous": "x", "results": [{"numeroot": "OT-CORR-7"}]},
            "http://cmms:8000/api/ordenes-trabajo/9/": Answer(404, {"detail": "No encontrado."}),  # OT-9 is tried as an id first
        }
    )
    client = CmmsClient(base, "k3y", session=session)
    assert session.headers["Authorization"] == "Token k3y"
    assert client.find_work_order(" ot-corr-7 ") == {"numeroot": "OT-CORR-7"}
    assert client.find_work_order("OT-9") is None
    assert session.seen[1] == "http://cmms:8000/api/ordenes-trabajo/?page=2", session.seen


@check
def client_tolerates_a_bare_list():
    from omnibot_common.cmms import CmmsClient

    session = FakeSession({"http://c/api/equipos/": [{"idequipo": 1}, {"idequipo": 2}]})
    assert len(CmmsClient("http://c/api/", None, session=session).list_equipment()) == 2
    assert "Authorization" not in session.headers


@check
def retry_after_is_read_as_parse_retry_after_does():
    from omnibot_common.cmms import _retry_after, parse_retry_after, retry_after_max_seconds

    now = datetime(2026, 12, 2, 6, 0, tzinfo=timezone.utc)
    at = lambda text: parse_retry_after(text, now=lambda: now)  # noqa: E731
    assert [at(v) for v in ("5", "1.5", " 2 ", "0", ".5", "3.")] == [5.0, 1.5, 2.0, 0.0, 0.5, 3.0]
    assert [at(v) for v in (None, "", "-1", "soon", "1,5", "Infinity", "NaN")] == [None] * 7
    assert at("Wed, 02 Dec 2026 06:00:30 GMT") == 30.0
    assert at("Wed, 02 Dec 2026 05:00:00 GMT") == 0.0  # a date in the past: at once
    assert _retry_after({}) is None
    assert _retry_after({"Retry-After": str(retry_after_max_seconds() + 1)}) is False  # too long: not waited
    assert _retry_after({"Retry-After": "0.25"}) == 0.25


@check
def backoff_is_core_retry_up_jitter_from_0_2_seconds():
    from omnibot_common.cmms import _backoff

    # backoffDelay(n, { baseMs: 200, jitter: 'up' }): ceiling 200·2^(n−1) ms, times 1 + 0.2·random, no cap.
    assert [_backoff(n, lambda: 0.0) for n in (1, 2, 3, 6)] == [0.2, 0.4, 0.8, 6.4]
    assert _backoff(3, lambda: 0.5) == 0.88
    assert _backoff(1, lambda: 0.9999) == 0.24
    assert _backoff(1, lambda: 0.0125) == 0.201  # whole milliseconds, rounded half up as Math.round


@check
def reported_failure_is_looked_for_in_the_newest_pages_reading_a_bounded_number():
    from omnibot_common.cmms import CmmsClient

    marker = "Reportada por el asistente omnibot (ref. 0123456789abcdef)"
    session = ManyOrdersSession(600, lambda page: [{"numeroot": f"OT-{page}", "observacionesfinales": marker if page == 600 else None}])
    assert CmmsClient("http://c/api/", None, session=session).find_reported_failure(marker)["numeroot"] == "OT-600"
    assert [url.rsplit("page=", 1)[-1] for url in session.seen] == ["1", "600"], session.seen
    session = ManyOrdersSession(600, lambda page: [{"numeroot": f"OT-{page}"}])
    assert CmmsClient("http://c/api/", None, session=session).find_reported_failure(marker) is None
    assert len(session.seen) == 50, len(session.seen)


@check
def reported_failure_without_its_marker_is_matched_by_equipment_description_and_time():
    from omnibot_common.reported_failure import pick_reported_failure

    reportar_falla = dag_module("reportar_falla").reportar_falla

    started = datetime(2026, 12, 2, 6, 0, tzinfo=timezone.utc)
    mine = "Reportada por el asistente omnibot (ref. fedcba9876543210)"
    order = {"numeroot": "OT-1", "idequipo": 7, "descripcionproblemareportado": "Pierde aceite", "fechacreacionot": "2026-12-02T06:00:05Z", "observacionesfinales": None}
    assert pick_reported_failure([order], mine, 7, "Pierde aceite", started) is order
    assert pick_reported_failure([order], mine, 7, "Pierde aceite", started + timedelta(hours=1)) is None  # made before the run
    assert pick_reported_failure([order], mine, 8, "Pierde aceite", started) is None
    assert pick_reported_failure([order], mine, 7, "Pierde aceite.", started) is None
    other_run = {**order, "observacionesfinales": "Reportada por el asistente omnibot (ref. 0123456789abcdef)"}
    assert pick_reported_failure([other_run], mine, 7, "Pierde aceite", started) is None

    class Client:
        created = 0

        def find_reported_failure(self, marker, *, idequipo=None, descripcion=None, since=None):
            return pick_reported_failure([order], marker, idequipo, descripcion, since)

        def report_failure(self, body, retry_safe=False):
            Client.created += 1
            return {"numeroot": "OT-2"}

    run = {"run_id": "r1", "attempt": 2, "started_at": started}
    assert reportar_falla(Client(), {"idequipo": 7, "descripcion": "Pierde aceite"}, run=run)["order"]["numeroot"] == "OT-1"
    assert Client.created == 0


@check
def an_order_number_of_digits_only_is_tried_as_a_primary_key():
    from omnibot_common.order_ids import primary_key_of

    assert [primary_key_of(v) for v in ("18", "OT-18", "OT 18", "ot_18", " ot18 ", "OT-007")] == [18, 18, 18, 18, 18, 7]
    assert [primary_key_of(v) for v in ("OT-CORR-18", "OT-0", "0", "OT-18-2", "OT-1234567890", "PT-18", "", "OT-١٨")] == [None] * 8


@check
def the_number_to_id_cache_keeps_pairs_for_its_ttl_and_its_size():
    from omnibot_common.catalog import cmms_constants
    from omnibot_common.order_ids import OrderIdCache

    assert (cmms_constants()["orderIdCacheSeconds"], cmms_constants()["orderIdCacheSize"]) == (300, 5000)
    now = [1.0]
    cache = OrderIdCache(ttl=300, now=lambda: now[0])
    cache.remember("b/", [{"idordentrabajo": 12, "numeroot": "OT-CORR-B"}, {"numeroot": "OT-NO-ID"}, "x", {"idordentrabajo": "13"}])
    assert (cache.get("b/", " ot-corr-b "), cache.get("other/", "OT-CORR-B"), len(cache)) == (12, None, 1)
    now[0] += 299.999
    assert cache.get("b/", "OT-CORR-B") == 12
    now[0] += 0.001
    assert (cache.get("b/", "OT-CORR-B"), len(cache)) == (None, 0)
    small = OrderIdCache(size=2)
    small.remember("b/", [{"idordentrabajo": n, "numeroot": f"OT-{n}"} for n in (1, 2, 3)])
    assert [small.get("b/", f"OT-{n}") for n in (1, 2, 3)] == [None, 2, 3]
    small.forget("b/", "ot-3")
    assert small.get("b/", "OT-3") is None


@check
def a_status_check_reads_pages_up_to_the_order_then_one_detail():
    from omnibot_common.cmms import CmmsClient
    from omnibot_common.order_ids import OrderIdCache

    class Orders(ManyOrdersSession):
        """5 pages of one order each (ids 1-5); `ordenes-trabajo/{id}/` answers that order or 404."""

        def request(self, method, url, json=None, timeout=None):
            detail = url.removeprefix("http://c/api/ordenes-trabajo/").rstrip("/")
            if detail.isdigit():
                order_id = int(detail)
                self.pages[url] = self.orders(order_id)[0] if order_id <= self.count else Answer(404, {"detail": "No encontrado."})
                return FakeSession.request(self, method, url)
            return super().request(method, url)

    session = Orders(5, lambda n: [{"idordentrabajo": n, "numeroot": f"OT-CORR-{n}"}])
    client = CmmsClient("http://c/api/", None, session=session, order_ids=OrderIdCache())

    def requests_of(numeroot):
        before = len(session.seen)
        order = client.find_work_order(numeroot)
        return (order or {}).get("idordentrabajo"), [url.removeprefix("http://c/api/ordenes-trabajo/") for url in session.seen[before:]]

    assert requests_of("OT-CORR-3") == (3, ["", "?page=2", "?page=3"]), session.seen
    assert requests_of("ot-corr-3") == (3, ["3/"])
    assert requests_of("OT-CORR-2") == (2, ["2/"])  # read on the way
    assert requests_of("OT-4") == (4, ["4/"])  # "OT 4" is the order whose id is 4
    assert requests_of("OT-9") == (None, ["9/", "", "?page=2", "?page=3", "?page=4", "?page=5"])



from . import cmms_login  # noqa: E402, F401  (the service account's checks, run as this concern's)
from . import cmms_v2  # noqa: E402, F401  (the later API's checks, run as this concern's)
