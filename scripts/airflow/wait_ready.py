"""Waits until a local Airflow 3 is usable: API healthy, scheduler and dag-processor heartbeating,
a JWT obtainable, and every omnibot DAG parsed and unpaused. Exits 1 on timeout or a dead component.

usage: wait_ready.py BASE_URL USERNAME PASSWORD [--timeout S] [--pid-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import requests

# Every DAG of the workflow catalog (the one list of workflow ids), and the scheduled ones.
_CATALOG = Path(__file__).resolve().parents[2] / "workflows" / "catalog.json"
SCHEDULED_DAG_IDS = ("notificar_cambios_ot",)
DAG_IDS = tuple(json.loads(_CATALOG.read_text(encoding="utf-8"))["workflows"]) + SCHEDULED_DAG_IDS


def dead_components(pid_dir: str | None) -> list[str]:
    if not pid_dir or not os.path.isdir(pid_dir):
        return []
    dead = []
    for name in sorted(os.listdir(pid_dir)):
        with open(os.path.join(pid_dir, name)) as f:
            pid = int(f.read().strip())
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            dead.append(name.removesuffix(".pid"))
    return dead


def check(base: str, username: str, password: str) -> str | None:
    """None when ready, else what is missing."""
    health = requests.get(f"{base}/api/v2/monitor/health", timeout=5).json()
    for part in ("metadatabase", "scheduler", "dag_processor"):
        if (health.get(part) or {}).get("status") != "healthy":
            return f"{part} not healthy yet"
    token = requests.post(f"{base}/auth/token", json={"username": username, "password": password}, timeout=5)
    if token.status_code not in (200, 201):
        return f"auth/token answered {token.status_code}"
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    for dag_id in DAG_IDS:
        dag = requests.get(f"{base}/api/v2/dags/{dag_id}", headers=headers, timeout=5)
        if dag.status_code != 200:
            return f"DAG {dag_id} not parsed yet ({dag.status_code})"
        if dag.json().get("is_paused"):
            return f"DAG {dag_id} is paused"
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--pid-dir")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    waiting = "api-server not answering yet"
    while time.monotonic() < deadline:
        dead = dead_components(args.pid_dir)
        if dead:
            print(f"Airflow component(s) exited: {', '.join(dead)}", file=sys.stderr)
            return 1
        try:
            waiting = check(args.base.rstrip("/"), args.username, args.password)
        except (requests.RequestException, ValueError) as exc:
            waiting = f"api-server not answering yet ({type(exc).__name__})"
        if waiting is None:
            return 0
        time.sleep(1)
    print(f"Airflow not ready after {args.timeout:.0f}s: {waiting}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
