"""What notificar_cambios_ot sends about an order besides its state and technician, as the gateway's
poller reads it (core/notify/orders.ts, observations.ts): the closing observations never carry the
assistant's own report note ("Reportado por … vía …" and its "(ref. …)" marker), and each change carries
the order's priority, equipment code and reported problem, bounded, for the assignment notice. No
network, no running Airflow."""

from __future__ import annotations

from datetime import datetime, timezone

from .support import check_of

check = check_of("checks.notify")

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
NOTE = "Reportado por Diego Fuentes vía el chat web. Reportada por el asistente omnibot (ref. 8d3ae89e4300be7c)"


def _order(order_id, state, technician=None, **more):
    return {"idordentrabajo": order_id, "numeroot": f"OT-{order_id}", "equipo_nombre": "Excavadora CAT 336",
            "estado_nombre": state, "idtecnicoasignado": technician, "idsolicitante": 3, **more}


def _changes(before: list[dict], after: list[dict]) -> list[dict]:
    from omnibot_common.notify_detect import detect_changes

    _, seen, _ = detect_changes(None, before, T0)
    changes, _, skipped = detect_changes(seen, after, T0)
    assert skipped == [], skipped
    return changes


@check
def a_completed_order_never_says_the_assistants_report_note_as_its_observations():
    changes = _changes(
        [_order(12, "En Progreso", 10), _order(13, "En Progreso", 10), _order(14, "En Progreso", 10)],
        [
            _order(12, "Completada", 10, observacionesfinales=NOTE),
            _order(13, "Completada", 10, observacionesfinales=NOTE + ".\nSe cambió la manguera."),
            _order(14, "Completada", 10, observacionesfinales="Reportado por Ana vía WhatsApp"),
        ],
    )
    assert [c["observations"] for c in changes] == [None, "Se cambió la manguera.", None]


@check
def the_report_note_is_stripped_as_the_gateway_strips_it():
    from omnibot_common.notify_detect import closing_observations

    for channel in ("WhatsApp", "Telegram", "SMS", "el chat web", "el asistente"):
        assert closing_observations(f"Reportado por Diego Fuentes vía {channel}") is None, channel
        assert closing_observations(f"Reportado por Diego vía {channel}. Reportada por el asistente omnibot (ref. 0123456789abcdef)") is None
    assert closing_observations(f"Se cambió el sello. {NOTE}.") == "Se cambió el sello."
    assert closing_observations("Reportado por el operador por radio") == "Reportado por el operador por radio"
    assert closing_observations(None) is None and closing_observations("  ") is None


@check
def each_change_carries_the_priority_equipment_code_and_problem_when_the_cmms_gives_them():
    long = "Rotura de manguera hidráulica\nen el brazo " + "y fuga " * 30
    changes = _changes(
        [_order(12, "Abierta"), _order(13, "Abierta")],
        [
            _order(12, "Asignada", 10, tecnico_nombre="Juan Pérez", prioridad="Crítica", equipo_codigo="CAT-002",
                   descripcionproblemareportado=long),
            _order(13, "Asignada", 11, tecnico_nombre="María González"),
        ],
    )
    first, second = changes
    assert (first["priority"], first["equipment_code"]) == ("Crítica", "CAT-002")
    assert first["description"].startswith("Rotura de manguera hidráulica en el brazo y fuga ")
    assert first["description"].endswith("…") and len(first["description"]) <= 120
    assert (second["priority"], second["equipment_code"], second["description"]) == (None, None, None)
