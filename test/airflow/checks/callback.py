"""The callback a DAG run POSTs to the gateway: its body and its signature over the exact bytes."""

from __future__ import annotations

import hashlib
import hmac
import json

from .support import check


@check
def callback_body_is_signed_over_its_exact_bytes():
    from omnibot_common.callback import build_payload, encode_body, sign

    payload = build_payload(conversation_id="web:ñandú", run_id="r1", dag_id="listar_equipos", result={"total": 0, "equipment": []}, error=None)
    body = encode_body(payload)
    assert json.loads(body) == {"conversation_id": "web:ñandú", "run_id": "r1", "dag_id": "listar_equipos", "status": "success", "result": {"total": 0, "equipment": []}}
    assert "ñandú".encode() in body
    assert sign("s", body) == "sha256=" + hmac.new(b"s", body, hashlib.sha256).hexdigest()
    failed = build_payload(conversation_id="c", run_id="r", dag_id="d", result=None, error={"code": "x", "message": "y"})
    assert failed["status"] == "failed" and "result" not in failed
