"""What the checks share: the repository's paths, the catalog as the checks read it, the registry of
checks (`@check`), a DAG file imported as Airflow does, and canned CMMS answers (no network)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DAGS = REPO / "dags"
CATALOG = json.loads((REPO / "workflows" / "catalog.json").read_text(encoding="utf-8"))
EXPECTED_DAGS = set(CATALOG["workflows"])  # one DAG per workflow of the catalog
# Scheduled DAGs: no conversation workflow, so not in the catalog (checks/notify.py checks them).
SCHEDULED_DAGS = {"notificar_cambios_ot"}

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def check_of(concern: str):
    """`@check` for a module of checks imported by a concern's module (check_dags.py lists concerns):
    its checks run in that concern's turn and carry its name."""

    def register(fn):
        fn.__module__ = concern
        return check(fn)

    return register


def dag_module(dag_id: str):
    """Imports dags/<dag_id>.py (the workflow's DAG and its function) as Airflow does, by its path."""
    spec = importlib.util.spec_from_file_location(f"omnibot_dag_{dag_id}", DAGS / f"{dag_id}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Answer:
    """A canned CMMS answer with its status (FakeSession serves a plain value as a 200)."""

    def __init__(self, status: int, payload: object = None):
        self.status, self.payload = status, payload


class FakeSession:
    """Serves canned pages to CmmsClient (a requests.Session stand-in; no network). A callable page is
    called with the request's Authorization header and JSON body, and answers what it returns."""

    def __init__(self, pages: dict[str, object]):
        self.pages = pages
        self.headers: dict[str, str] = {}
        self.seen: list[str] = []
        self.sent: list[tuple[str, str | None]] = []  # (url, the Authorization header it went with)

    def request(self, method, url, json=None, timeout=None, headers=None):
        self.seen.append(url)
        merged = {**self.headers, **(headers or {})}  # as requests merges them: None drops a header
        self.sent.append((url, merged.get("Authorization")))
        body = self.pages[url]
        if callable(body):
            body = body(merged.get("Authorization"), json)
        if isinstance(body, Exception):
            raise body
        status = body.status if isinstance(body, Answer) else 200

        class Response:
            status_code = status
            text = ""

            def json(self_inner):
                if isinstance(body, Answer):
                    if body.payload is None:
                        raise ValueError("not JSON")
                    return body.payload
                return body

        return Response()


class ManyOrdersSession(FakeSession):
    """`count` pages of one order each, built on demand; `orders(page)` gives a page's orders."""

    def __init__(self, count: int, orders):
        super().__init__({})
        self.count, self.orders = count, orders

    def request(self, method, url, json=None, timeout=None):
        page = int(url.rsplit("page=", 1)[1]) if "page=" in url else 1
        following = f"http://c/api/ordenes-trabajo/?page={page + 1}" if page < self.count else None
        self.pages[url] = {"count": self.count, "next": following, "results": self.orders(page)}
        return super().request(method, url)
