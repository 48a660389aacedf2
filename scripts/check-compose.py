"""docker-compose.yml as `docker compose config` would see it: interpolated like Compose does, with
the required variables set (then valid against the compose-spec schema) and with each one missing
(then refused). Also the deployment's own rules: the gateway is built from the Dockerfile, runs no
`npm ci`, has a healthcheck and gets the variables an operator needs.

Usage: python scripts/check-compose.py docker-compose.yml  (from scripts/check-compose.sh's venv)
"""

import re
import sys

from check_jsonschema.builtin_schemas import get_builtin_schema
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

REQUIRED = ["CALLBACK_SECRET", "SESSION_SECRET", "AIRFLOW_PASSWORD", "IDENTITY_KEY"]
GATEWAY_ENV = ["ADMIN_TOKEN", "METRICS_TOKEN", "INSPECT", "INSPECT_URL", "SESSION_SECRET", "CALLBACK_SECRET", "IDENTITY_KEY", "IDENTITY_REQUIRED"]

# $$, ${NAME}, ${NAME<op>word} with op in :- - :? ? :+ +, and $NAME (Compose's interpolation).
TOKEN = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class Missing(Exception):
    pass


def interpolate(value, env):
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def one(match):
        escaped, name, op, word, bare = match.groups()
        if escaped:
            return "$"
        name = name or bare
        current = env.get(name)
        present = current is not None and (current != "" or not (op or "").startswith(":"))
        if op in (":-", "-"):
            return current if present else word
        if op in (":?", "?"):
            if not present:
                raise Missing(f"{name}: {word}")
            return current
        if op in (":+", "+"):
            return word if present else ""
        return current or ""

    return TOKEN.sub(one, value)


def main(path):
    with open(path) as file:
        document = YAML(typ="safe").load(file)
    validator = Draft202012Validator(get_builtin_schema("vendor.compose-spec"))
    failures = []

    env = {name: f"test-{name.lower()}" for name in REQUIRED}
    resolved = interpolate(document, env)
    failures += [f"interpolated: {'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(resolved)]

    for name in REQUIRED:
        try:
            interpolate(document, {k: v for k, v in env.items() if k != name})
            failures.append(f"{name} is not required (${{{name}:?...}})")
        except Missing:
            pass

    gateway = resolved.get("services", {}).get("gateway", {})
    command = " ".join(map(str, gateway.get("command") or []))
    if "build" not in gateway:
        failures.append("gateway: not built from the Dockerfile (no `build`)")
    if "npm" in command:
        failures.append(f"gateway: runs npm at start ({command})")
    if not gateway.get("healthcheck", {}).get("test"):
        failures.append("gateway: no healthcheck")
    environment = gateway.get("environment") or {}
    failures += [f"gateway: {name} not passed" for name in GATEWAY_ENV if name not in environment]
    if environment.get("SESSION_SECRET") != env["SESSION_SECRET"]:
        failures.append("gateway: SESSION_SECRET is not the required variable")

    for failure in failures:
        print(f"docker-compose check: {failure}", file=sys.stderr)
    print(f"{path}: {'FAILED' if failures else 'ok'} (compose-spec schema after interpolation, required variables)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docker-compose.yml"))
