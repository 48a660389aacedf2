"""What changed among the work orders, for the scheduled DAG notificar_cambios_ot, by the gateway's
rules (core/notify/detect.ts, limits.ts, schema.ts), so that both paths send the same changes.

Detection: an order's signature is (state name, technician id). Without a seen state the run is the
baseline: it records every order at sequence = the baseline's time in ms and sends nothing. A listed
order whose signature differs from the seen one, or that was not seen before (previous_state null), is
a change; its sequence (the seen `seq` + 1; a new order: baseline time + 1) makes the change id
`<order id>:<seq>`. The new sequences are saved before anything is sent (with the changes, as pending):
a later state always gets a new id, and a new baseline (the Variable deleted, or the DAG taking over from
the gateway's poller) never reuses an id a chat may still hold. An order missing from the list is kept as
it was seen (a page that shifted while it was read must not make it "new" later).

Texts: every CMMS text is made one line as the gateway's `oneLine` does (NFC; line breaks to spaces;
control, format and blank characters removed; whitespace collapsed and trimmed as JS does) and cut at its
bound in characters. The observations are the closing ones (`observacionesfinales`) without the
assistant's own report note ("Reportado por … vía …" and its "(ref. …)" marker:
core/notify/observations.ts). Each change also carries the order's priority, equipment code and reported
problem when the CMMS gives them (what an assignment notice quotes). A change the gateway would refuse (a
number empty or longer than 100 UTF-16 units, an id past 2^53 - 1) is not sent: the order is recorded as
seen and the change logged (`skipped`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from .reported_failure import marker_prefix

# Bounds of the strings of a change, as the gateway's (core/notify/limits.ts).
LIMITS = {
    "number": 100, "equipment": 200, "equipment_code": 100, "state": 100, "name": 200, "observations": 2000,
    "priority": 50, "description": 120,
}
COMPLETED_STATE = "Completada"  # only then are an order's observations news (as core/notify/detect.ts)
MAX_SAFE_INTEGER = 2**53 - 1  # JS's Number.MAX_SAFE_INTEGER: the gateway refuses larger ids

_LINE_BREAKS = re.compile("[\r\n\u0085\u2028\u2029]+")
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# JS's WhiteSpace and LineTerminator (what `\s` matches and `trim()` removes).
_JS_SPACE_CHARS = "\t\n\v\f\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_SPACES = re.compile("[" + re.escape(_JS_SPACE_CHARS) + "]+")
_CHANGE_ID = re.compile(r"([0-9]{1,16}):([0-9]{1,16})")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def one_line(text: str, max_length: int) -> str:
    """lib/plain-text.ts `oneLine`: one line, no control or invisible character, at most `max_length`
    characters (code points, "…" marking a cut). A lone surrogate becomes "?" (as the body carries it)."""
    flat = unicodedata.normalize("NFC", text.encode("utf-8", "replace").decode("utf-8"))
    flat = _LINE_BREAKS.sub(" ", flat)
    flat = "".join(c for c in flat if unicodedata.category(c) not in ("Cc", "Cf") and c not in _BLANK_LETTERS)
    flat = _JS_SPACES.sub(" ", flat).strip(_JS_SPACE_CHARS)
    if len(flat) <= max_length:
        return flat
    return flat[: max(0, max_length - 1)].rstrip(_JS_SPACE_CHARS) + "…"


def utf16_length(text: str) -> int:
    """A string's length as JS counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def positive_id(value: object) -> int | None:
    """A positive integer (or its digits), else None."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        value = int(value.strip())
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: object, limit: int) -> str | None:
    """A CMMS text (a number as its digits) made one line and cut at `limit`, or None when nothing is left."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return one_line(value, limit) or None


def _number(order: dict) -> str | None:
    """The order's number, cleaned but cut only past its bound (a longer one is refused, not shown cut)."""
    return _text(order.get("numeroot"), LIMITS["number"] + 1)


def _state(order: dict) -> str:
    return _text(order.get("estado_nombre"), LIMITS["state"]) or ""


def signature(order: dict) -> tuple[str, int | None]:
    """What a change is about: the state's name and the technician's id."""
    return _state(order), positive_id(order.get("idtecnicoasignado"))


def seen_entry(order: dict, seq: int) -> dict:
    state, technician = signature(order)
    name = _text(order.get("tecnico_nombre"), LIMITS["name"]) if technician else None
    return {"state": state, "technician_id": technician, "technician_name": name, "seq": seq}


# How machines/account-replies.ts (`reportedBy`) names each channel after "vía".
_REPORT_CHANNELS = "|".join(("WhatsApp", "Telegram", "SMS", "el chat web", "el asistente"))
_REPORTED_BY = r"Reportado por .{1,200}? vía (?:" + _REPORT_CHANNELS + ")"
_LEADING_SEPARATORS = re.compile(r"^[ .,;:]+")


@lru_cache(maxsize=1)
def _report_note() -> tuple[re.Pattern, re.Pattern]:
    """(the run's marker with the "Reportado por …" line before it, that line alone at the start); the
    marker's prefix read from the catalog when first needed (never at import)."""
    marker = re.escape(marker_prefix()) + r" \(ref\. [0-9a-f]{16}\)\.?"
    return re.compile(f"(?:{_REPORTED_BY}\\.? )?{marker}"), re.compile(f"^{_REPORTED_BY}(?:\\.|(?= )|$)")


def closing_observations(value: object) -> str | None:
    """core/notify/observations.ts `closingObservations`: the closing observations without the report
    note, one line and bounded; None when nothing else is left."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    with_marker, leading = _report_note()
    flat = one_line(with_marker.sub(" ", one_line(value, 10**9)), 10**9)
    flat = leading.sub("", _LEADING_SEPARATORS.sub("", flat), count=1)
    return one_line(_LEADING_SEPARATORS.sub("", flat), LIMITS["observations"]) or None


def _equipment(order: dict, order_id: int) -> str:
    named = _text(order.get("equipo_nombre"), LIMITS["equipment"]) or _text(order.get("equipo_codigo"), LIMITS["equipment"])
    return named or f"Equipo {_text(order.get('idequipo'), 20) or order_id}"


def _change(order_id: int, seq: int, order: dict, before: dict | None) -> dict:
    state, technician = signature(order)
    observations = closing_observations(order.get("observacionesfinales")) if state == COMPLETED_STATE else None
    return {
        "change_id": f"{order_id}:{seq}",
        "order_id": order_id,
        "number": _number(order),
        "equipment": _equipment(order, order_id),
        "state": state,
        "previous_state": before["state"] if before else None,
        "technician_id": technician,
        "technician_name": _text(order.get("tecnico_nombre"), LIMITS["name"]) if technician else None,
        "previous_technician_id": before.get("technician_id") if before else None,
        "previous_technician_name": before.get("technician_name") if before else None,
        "requester_id": positive_id(order.get("idsolicitante")),
        "observations": observations,
        "priority": _text(order.get("prioridad"), LIMITS["priority"]),
        "equipment_code": _text(order.get("equipo_codigo"), LIMITS["equipment_code"]),
        "description": _text(order.get("descripcionproblemareportado"), LIMITS["description"]),
    }


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_SAFE_INTEGER


def _is_change_id(value: str) -> bool:
    match = _CHANGE_ID.fullmatch(value)
    return bool(match) and 0 < int(match.group(1)) <= MAX_SAFE_INTEGER and int(match.group(2)) <= MAX_SAFE_INTEGER


# The fields in the gateway's order (the first wrong one is named): kind, and whether it may be null.
_FIELDS = (
    ("change_id", "change_id", False), ("order_id", "id", False), ("number", "number", False),
    ("equipment", "text", False), ("state", "text", False), ("previous_state", "text", True),
    ("technician_id", "id", True), ("technician_name", "text", True), ("previous_technician_id", "id", True),
    ("previous_technician_name", "text", True), ("requester_id", "id", True), ("observations", "text", True),
    ("priority", "text", True), ("equipment_code", "text", True), ("description", "text", True),
)


def _field_problem(name: str, kind: str, value: object) -> str | None:
    if kind == "id":
        return None if _is_id(value) else f"{name}: {name} must be a positive integer"
    if not isinstance(value, str):
        return f"{name}: {name} must be a string"
    if kind == "change_id" and not _is_change_id(value):
        return f'{name}: {name} must be "<order id>:<sequence>"'
    if kind == "number" and not value:
        return "number: number must be a non-empty string"
    if kind == "number" and utf16_length(value) > LIMITS["number"]:
        return f"number: number exceeds {LIMITS['number']} characters"
    return None


def change_problem(change: dict) -> str | None:
    """Why the gateway would refuse this change (core/notify/schema.ts: the same reason, for the first
    wrong field in its order), or None. Its texts are taken as cleaned (the number by `_number`)."""
    for name, kind, nullable in _FIELDS:
        if name not in change:
            if not nullable:
                return f"{name} is required"
            continue
        value = change[name]
        if value is None and nullable:
            continue
        problem = _field_problem(name, kind, value)
        if problem:
            return problem
    if not change["change_id"].startswith(f"{change['order_id']}:"):
        return "change_id must start with its order_id"
    return None


def iso_ms(moment: datetime) -> str:
    """An aware time as ISO 8601 in UTC to the millisecond, `Z`-suffixed (as JS's toISOString)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_ms(iso: str) -> int:
    """Milliseconds since the epoch of an ISO 8601 time; 0 when it is none."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def detect_changes(seen: dict | None, orders: list[dict], now: datetime) -> tuple[list[dict], dict, list[dict]]:
    """(changes to send, the seen state to save before sending them, skipped), as the module docstring
    says. `skipped` lists `{order_id, change_id, reason}` of the changes the gateway would refuse. The
    saved state keeps `seen`'s pending changes as they were (the caller adds the new ones)."""
    current: dict[int, dict] = {}
    for order in orders:  # a record without a positive id or a number is no order: left out
        order_id = positive_id(order.get("idordentrabajo")) if isinstance(order, dict) else None
        if order_id is not None and order_id not in current and _number(order):
            current[order_id] = order
    if seen is None:
        baseline_at = iso_ms(now)
        epoch = epoch_ms(baseline_at)
        entries = {str(i): seen_entry(o, epoch) for i, o in sorted(current.items())}
        return [], {"baseline_at": baseline_at, "orders": entries, "pending": []}, []
    epoch = epoch_ms(seen["baseline_at"])
    known = dict(seen["orders"])
    changes, skipped = [], []
    for order_id, order in sorted(current.items()):
        before = known.get(str(order_id))
        if before is not None and (before["state"], before.get("technician_id")) == signature(order):
            continue
        seq = (before["seq"] if before else epoch) + 1
        change = _change(order_id, seq, order, before)
        known[str(order_id)] = seen_entry(order, seq)
        problem = change_problem(change)
        if problem:
            skipped.append({"order_id": order_id, "change_id": change["change_id"], "reason": problem})
        else:
            changes.append(change)
    return changes, {"baseline_at": seen["baseline_at"], "orders": known, "pending": list(seen.get("pending", []))}, skipped
