"""A small client of the Somacor CMMS REST API (Django REST Framework), built on requests.

Auth is `Authorization: Token <key>` (DRF TokenAuthentication; `Bearer` gets a 401). Lists are
paginated as `{count, next, previous, results}`; a bare list is tolerated; a list longer than the
catalog's `cmms.maxPages` is a bad response. There are no server-side filters, so finding an order by
`numeroot` reads its detail by primary key when the id is known (order_ids.py), else pages through
`ordenes-trabajo/` up to the page that has it. Each call is one exchange of cmms_http.py, as
core/cmms/client.ts makes it: a busy answer (408, 429) to a read asked again after its Retry-After;
a token (Airflow Variable cmms_token) and/or a service account (cmms_username/cmms_password,
cmms_login.py) that logs in when there is no token and again when a call's token is refused (401);
or, for a run acting as a linked user, that user's token (`as_user`, credentials.py). Writes are in
order_writes.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from .catalog import cmms_constants, cmms_error_code
from .cmms_http import CmmsHttp
from . import cmms_v2
from .cmms_login import CmmsLogin
from .errors import WorkflowFailure
from .order_ids import ORDER_IDS, OrderIdCache, order_number_key, primary_key_of
from .order_writes import WorkOrderStates, change_body, complete_body, order_of_answer
from .reported_failure import find_pages, pick_reported_failure
from .summaries import summarize_user
from .retry import BUSY_STATUSES, _backoff, _retry_after, parse_retry_after, retry_after_max_seconds  # noqa: F401  (re-exported)


def max_pages() -> int:
    """The catalog's `cmms.maxPages`, shared with core/cmms/routes.ts: a longer list is a bad response."""
    return int(cmms_constants()["maxPages"])


def api_base(cmms_url: str, api_prefix: str = "/api/") -> str:
    """`{cmms_url}{cmms_api_prefix}` with exactly one slash between them and a trailing slash."""
    prefix = "/" + api_prefix.strip("/") + "/" if api_prefix.strip("/") else "/"
    return cmms_url.rstrip("/") + prefix


class CmmsClient(CmmsHttp):
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 15.0,
        session: requests.Session | None = None,
        order_ids: OrderIdCache | None = None,
        login: CmmsLogin | None = None,
        as_user: bool = False,
    ):
        super().__init__(token, timeout=timeout, session=session, login=login, as_user=as_user)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.order_ids = ORDER_IDS if order_ids is None else order_ids
        self.states = WorkOrderStates(lambda: self.iter_list("estados-orden-trabajo/"))
        self.v2 = cmms_v2.is_v2(self.base_url)  # the later API (/api/v2/): cmms_v2.py

    def _url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    def _same_origin(self, url: str) -> str:
        """DRF builds `next` from the request's Host; behind a proxy that may not be reachable from
        here, so keep its path and query on the configured origin."""
        base, link = urlsplit(self.base_url), urlsplit(url)
        if not link.scheme:
            return urljoin(self.base_url, url)
        return urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))

    def iter_list(self, path: str) -> Iterator[dict]:
        """Every item of a list route, following `next` links; a bare list is one page."""
        url: str | None = self._url(path)
        pages = 0
        while url:
            pages += 1
            if pages > max_pages():
                raise WorkflowFailure(cmms_error_code(bad_response=True), f"CMMS pagination of {path} exceeded {max_pages()} pages")
            body = self.request("GET", url)
            if isinstance(body, list):
                self._remember(path, body)
                yield from (item for item in body if isinstance(item, dict))
                return
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise WorkflowFailure(cmms_error_code(bad_response=True), f"CMMS list {path} has neither results nor a list")
            self._remember(path, body["results"])
            yield from (self._listed(path, item) for item in body["results"] if isinstance(item, dict))
            next_link = body.get("next")
            url = self._same_origin(next_link) if next_link else None

    def _listed(self, path: str, item: dict) -> dict:
        """v2 orders have no fechacreacionot: the report's time stands for it (cmms_v2.order_of)."""
        return cmms_v2.order_of(item) if self.v2 and path == "ordenes-trabajo/" else item

    def _remember(self, path: str, orders: list) -> None:
        """A page of work orders fills the number -> id cache."""
        if path == "ordenes-trabajo/":
            self.order_ids.remember(self.base_url, orders)

    def order_by_id(self, order_id: int) -> dict | None:
        """The order whose primary key is `order_id`; None on a 404 or an answer that is no order."""
        try:
            body = self.request("GET", self._url(f"ordenes-trabajo/{order_id}/"))
        except WorkflowFailure as failure:
            if failure.status == 404:
                return None
            raise
        if not isinstance(body, dict) or not order_number_key(body.get("numeroot")):
            return None
        self.order_ids.remember(self.base_url, [body])
        return body

    def find_work_order(self, numeroot: str) -> dict | None:
        """As core/cmms/client.ts findWorkOrder: (1) a number of digits only ("18", "OT-18") is tried as
        a primary key first (order_ids.primary_key_of); (2) a number seen within the cache's TTL is read
        by its id, kept only if the detail still has that number; (3) else the list is paged up to the
        first page that has it. Requests: 1 for a cached number or an id; else the pages up to the
        order's (plus 1 when a digits-only number is no id)."""
        wanted = order_number_key(numeroot)
        order_id = primary_key_of(wanted)
        if order_id is not None:
            order = self.order_by_id(order_id)
            if order is not None:
                return order
        cached_id = self.order_ids.get(self.base_url, wanted)
        if cached_id is not None:
            order = None if cached_id == order_id else self.order_by_id(cached_id)  # that id was just read
            if order is not None and order_number_key(order.get("numeroot")) == wanted:
                return order
            self.order_ids.forget(self.base_url, wanted)
        if self.v2:  # search/ordenes/ first: one request when the number is among its 10 results
            found = cmms_v2.find_order_by_number(self, numeroot)
            if found is not None:
                self.order_ids.remember(self.base_url, [found])
                return found
        for order in self.iter_list("ordenes-trabajo/"):
            if order_number_key(order.get("numeroot")) == wanted:
                return order
        return None

    def _page(self, path: str, page: int) -> dict:
        body = self.request("GET", self._url(f"{path}?page={page}"))
        if isinstance(body, list):
            body = {"count": len(body), "next": None, "results": body}
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise WorkflowFailure(cmms_error_code(bad_response=True), f"CMMS list {path} has neither results nor a list")
        self._remember(path, body["results"])
        return body

    def find_reported_failure(
        self, marker: str | None, *, idequipo: int | None = None, descripcion: str | None = None, since: datetime | None = None
    ) -> dict | None:
        """The order an earlier report_failure of the same run created (see reported_failure.py). Reads
        page 1, then from the real last page back (a recent order is at one end), find_pages() at most."""
        first = self._page("ordenes-trabajo/", 1)
        results = [o for o in first["results"] if isinstance(o, dict)]
        found = pick_reported_failure(results, marker, idequipo, descripcion, since)
        if found is not None or not first.get("next") or not results:
            return found
        last = math.ceil(int(first.get("count") or 0) / len(results))
        for page in range(last, max(1, last - find_pages() + 1), -1):
            orders = [o for o in self._page("ordenes-trabajo/", page)["results"] if isinstance(o, dict)]
            found = pick_reported_failure(orders, marker, idequipo, descripcion, since)
            if found is not None:
                return found
        return None

    def list_work_orders(self) -> list[dict]:
        return list(self.iter_list("ordenes-trabajo/"))

    def list_equipment(self) -> list[dict]:
        return list(self.iter_list("equipos/"))

    def report_failure(self, body: dict, *, retry_safe: bool = False) -> dict:
        """`retry_safe`: the body carries a run marker, so a retry looks the order up before creating it."""
        if self.v2:  # no reportar-falla/ there: POST ordenes-trabajo/ with every field it requires
            return self._written(cmms_v2.create_corrective_order(self, body, retry_safe=retry_safe))
        created = self.request(
            "POST", self._url("ordenes-trabajo/reportar-falla/"), json=body, idempotent=retry_safe
        )
        return self._written(order_of_answer(created, "reportar-falla"))

    def _written(self, order: dict) -> dict:
        """An order a write answered: its number -> id is remembered, as a read's."""
        self.order_ids.remember(self.base_url, [order])
        return order

    def update_work_order(self, order_id: int, change: dict) -> dict:
        """PATCH of an order with `{estado?, idtecnicoasignado?}` (the state by name); the order as it is now.
        The same PATCH again changes nothing, so a retry is safe."""
        if self.v2:
            estado, technician = change.get("estado"), change.get("idtecnicoasignado")
            return self._written(cmms_v2.change_order(self, order_id, estado=estado, idtecnicoasignado=technician))
        body = change_body(change, self.states)
        answer = self.request("PATCH", self._url(f"ordenes-trabajo/{order_id}/"), json=body, idempotent=True)
        return self._written(order_of_answer(answer, "the change of an order"))

    def complete_work_order(self, order_id: int, observaciones: str, minutos: int) -> dict:
        """`POST ordenes-trabajo/{id}/completar/`; answered `{message, orden}` (or the order). The workflow
        reads the order's state before (completar_ot), so a retried task never completes it twice."""
        if self.v2:  # no completar/ there: a PATCH to Completada
            return self._written(cmms_v2.complete_order(self, order_id, observaciones, minutos))
        url = self._url(f"ordenes-trabajo/{order_id}/completar/")
        answer = self.request("POST", url, json=complete_body(observaciones, minutos), idempotent=True)
        return self._written(order_of_answer(answer, "completar"))

    def list_users(self) -> list[dict]:
        """`users/` (supervisors and admins; others get a 403) as summaries, as listUsers in TypeScript."""
        if self.v2:  # usuarios/: {user, rol_nombre, usuario_nombre, usuario_email}
            return [u for u in map(cmms_v2.user_of, self.iter_list(cmms_v2.USERS_ROUTE)) if u is not None]
        return [summarize_user(user) for user in self.iter_list("users/") if _user_id(user.get("id")) is not None]


def _user_id(value: object) -> int | None:
    """A user's id when it is a positive integer (or its digits), as Number.isSafeInteger(Number(id)) && id > 0."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 0 < value <= 2**53 - 1 else None
