"""The DAGs a linked user starts (listar_mis_ot, listar_ot_sin_asignar, iniciar_ot, completar_ot,
asignar_ot) and reportar_falla's reportado_por, as their TypeScript modules behave
(test/workflows/order-workflows.test.ts runs those against the demo CMMS): the lists and their order,
each refusal's code, and a retried task that never writes twice. Against a fake client."""

from __future__ import annotations

from .support import check, dag_module

SUMMARY_KEYS = {
    "idordentrabajo", "numeroot", "equipo_nombre", "estado_nombre", "tipo_mantenimiento_nombre", "prioridad",
    "tecnico_nombre", "fechacreacionot", "descripcionproblemareportado", "idsolicitante", "idtecnicoasignado",
    "solicitante_nombre",
}


def order(n: int, estado: str, prioridad: str = "Media", tecnico=None, solicitante=3, fecha: str | None = None) -> dict:
    return {
        "idordentrabajo": n, "numeroot": f"OT-{n}", "estado_nombre": estado, "prioridad": prioridad,
        "idtecnicoasignado": tecnico, "tecnico_nombre": "Juan Pérez" if tecnico == 10 else None,
        "idsolicitante": solicitante, "fechacreacionot": fecha or f"2026-11-{n:02d}T08:00:00Z", "observacionesfinales": "x",
    }


class Client:
    """The CmmsClient calls the workflows make, over a list of orders; records the writes."""

    def __init__(self, orders: list[dict]):
        self.orders, self.writes = orders, []

    def list_work_orders(self):
        return [dict(o) for o in self.orders]

    def find_work_order(self, numeroot):
        return next((dict(o) for o in self.orders if o["numeroot"] == numeroot.strip().upper()), None)

    def _set(self, order_id, **fields):
        found = next(o for o in self.orders if o["idordentrabajo"] == order_id)
        found.update(fields)
        return dict(found)

    def update_work_order(self, order_id, change):
        self.writes.append(("PATCH", order_id, change))
        fields = {"estado_nombre": change["estado"]} if "estado" in change else {}
        if "idtecnicoasignado" in change:
            fields.update(idtecnicoasignado=change["idtecnicoasignado"], tecnico_nombre="María González")
        return self._set(order_id, **fields)

    def complete_work_order(self, order_id, observaciones, minutos):
        self.writes.append(("completar", order_id, observaciones, minutos))
        return self._set(order_id, estado_nombre="Completada")


def failure_code(work) -> str:
    from omnibot_common.errors import WorkflowFailure

    try:
        work()
    except WorkflowFailure as failure:
        return failure.code
    raise AssertionError("the workflow must fail")


@check
def my_orders_open_ones_first_most_urgent_then_the_3_newest_closed_ones_and_my_assigned_open_ones():
    listar_mis_ot = dag_module("listar_mis_ot").listar_mis_ot
    orders = [
        order(1, "Completada", tecnico=10, fecha="2026-09-01"), order(2, "Completada", solicitante=10, fecha="2026-10-01"),
        order(3, "Asignada", "Media", tecnico=10), order(4, "En Progreso", "Crítica", tecnico=10),
        order(5, "Abierta", "Alta", solicitante=10), order(6, "Abierta", "Crítica", tecnico=11), order(7, "Cancelada", tecnico=10, fecha="2026-11-30"),
        order(8, "Completada", tecnico=10, fecha="2026-08-01"),
    ]
    mine = listar_mis_ot(Client(orders), {"idusuario": 10, "filtro": "mias"})
    assert [o["numeroot"] for o in mine["orders"]] == ["OT-4", "OT-5", "OT-3", "OT-7", "OT-2", "OT-1"], mine["orders"]
    assert (mine["total"], mine["open"], mine["filtro"], set(mine["orders"][0])) == (7, 3, "mias", SUMMARY_KEYS), mine
    assigned = listar_mis_ot(Client(orders), {"idusuario": 10, "filtro": "asignadas"})
    assert ([o["numeroot"] for o in assigned["orders"]], assigned["total"], assigned["open"]) == (["OT-4", "OT-3"], 2, 2), assigned
    many = [order(n, "Abierta", tecnico=10) for n in range(1, 21)] + [order(n, "Completada", tecnico=10) for n in range(21, 26)]
    listed = listar_mis_ot(Client(many), {"idusuario": 10, "filtro": "mias"})
    # The catalog's limit (15) open ones, then its closedLimit (3) closed ones, the newest first.
    assert [o["numeroot"] for o in listed["orders"]] == [f"OT-{n}" for n in range(1, 16)] + ["OT-25", "OT-24", "OT-23"], listed
    assert (listed["total"], listed["open"]) == (25, 20), listed
    assert listar_mis_ot(Client([]), {"idusuario": 10, "filtro": "mias"}) == {"total": 0, "open": 0, "orders": [], "filtro": "mias"}


@check
def unassigned_orders_are_open_ones_with_no_technician_or_reported_whoever_the_cmms_made_technician():
    listar_ot_sin_asignar = dag_module("listar_ot_sin_asignar").listar_ot_sin_asignar
    orders = [
        order(1, "Abierta", "Baja"), order(2, "Abierta", "Alta", tecnico=3),  # reported: the reporter as technician
        order(3, "PENDIENTE", "Crítica", tecnico=3),  # v2's name of Abierta
        order(4, "Asignada", tecnico=10), order(5, "En Progreso", tecnico=10), order(6, "Pendiente Aprobación", tecnico=12),
        order(7, "Pendiente Aprobación", "Media", tecnico=""), order(8, "Completada"), order(9, "Cancelada", tecnico=3),
    ]
    unassigned = listar_ot_sin_asignar(Client(orders), {})
    assert ([o["numeroot"] for o in unassigned["orders"]], unassigned["total"]) == (["OT-3", "OT-2", "OT-7", "OT-1"], 4), unassigned
    many = [order(n, "Abierta") for n in range(1, 13)]
    assert len(listar_ot_sin_asignar(Client(many), {})["orders"]) == 10  # the catalog's limit


@check
def starting_an_order_is_for_its_technician_once_and_a_retried_task_gives_the_first_outcome():
    iniciar_ot = dag_module("iniciar_ot").iniciar_ot
    client = Client([order(1, "Asignada", tecnico=10), order(2, "Asignada", tecnico=11), order(3, "Completada", tecnico=10)])
    params = {"numeroot": "OT-1", "idusuario": 10}
    first = iniciar_ot(client, params, run={"run_id": "r", "attempt": 1})
    assert (first["changed"], first["order"]["estado_nombre"]) == (True, "En Progreso"), first
    assert iniciar_ot(client, params, run={"run_id": "r", "attempt": 1})["changed"] is False
    assert iniciar_ot(client, params, run={"run_id": "r", "attempt": 2})["changed"] is True
    assert client.writes == [("PATCH", 1, {"estado": "En Progreso"})], client.writes
    assert failure_code(lambda: iniciar_ot(client, {"numeroot": "OT-2", "idusuario": 10})) == "not_assigned"
    assert failure_code(lambda: iniciar_ot(client, {"numeroot": "OT-3", "idusuario": 10})) == "order_closed"
    assert failure_code(lambda: iniciar_ot(client, {"numeroot": "OT-9", "idusuario": 10})) == "order_not_found"


@check
def completing_an_order_never_completes_it_twice():
    completar_ot = dag_module("completar_ot").completar_ot
    client = Client([order(1, "En Progreso", tecnico=10), order(2, "Cancelada", tecnico=10)])
    params = {"numeroot": "OT-1", "idusuario": 10, "observaciones": "Sello cambiado", "minutos": 45}
    assert completar_ot(client, params, run={"run_id": "r", "attempt": 1}) == {
        "order": {**{k: client.orders[0].get(k) for k in SUMMARY_KEYS}}, "changed": True, "minutos": 45,
    }
    assert completar_ot(client, params, run={"run_id": "r", "attempt": 1}) == {
        "order": {k: client.orders[0].get(k) for k in SUMMARY_KEYS}, "changed": False,
    }
    assert completar_ot(client, params, run={"run_id": "r", "attempt": 2})["changed"] is True
    assert client.writes == [("completar", 1, "Sello cambiado", 45)], client.writes
    assert failure_code(lambda: completar_ot(client, {**params, "numeroot": "OT-2"})) == "order_closed"


@check
def assigning_an_order_sets_its_technician_and_asignada_unless_already_so():
    asignar_ot = dag_module("asignar_ot").asignar_ot
    client = Client([order(1, "Abierta"), order(2, "En Progreso", tecnico=10), order(3, "Completada")])
    done = asignar_ot(client, {"numeroot": "OT-1", "idtecnico": 11})
    assert (done["changed"], done["order"]["estado_nombre"], done["order"]["idtecnicoasignado"]) == (True, "Asignada", 11), done
    assert "previous" not in done, done
    assert asignar_ot(client, {"numeroot": "OT-1", "idtecnico": 11})["changed"] is False
    assert asignar_ot(client, {"numeroot": "OT-2", "idtecnico": 10}) == {"order": {k: client.orders[1].get(k) for k in SUMMARY_KEYS}, "changed": False}
    assert client.writes == [("PATCH", 1, {"idtecnicoasignado": 11, "estado": "Asignada"})], client.writes
    assert failure_code(lambda: asignar_ot(client, {"numeroot": "OT-3", "idtecnico": 11})) == "order_closed"


@check
def reassigning_a_started_order_makes_it_asignada_and_says_who_had_it():
    asignar_ot = dag_module("asignar_ot").asignar_ot
    client = Client([order(1, "En Progreso", "Alta", tecnico=10), order(2, "Abierta", tecnico=3)])
    moved = asignar_ot(client, {"numeroot": "OT-1", "idtecnico": 11})
    assert (moved["changed"], moved["order"]["estado_nombre"], moved["order"]["idtecnicoasignado"]) == (True, "Asignada", 11), moved
    assert moved["previous"] == {"idtecnicoasignado": 10, "tecnico_nombre": "Juan Pérez", "estado_nombre": "En Progreso"}, moved
    # A reported order's technician (the reporter, as the CMMS sets it) was never assigned: no previous.
    reported = asignar_ot(client, {"numeroot": "OT-2", "idtecnico": 11})
    assert reported["changed"] is True and "previous" not in reported, reported
    assert [w[1] for w in client.writes] == [1, 2], client.writes


@check
def a_report_says_who_made_it_first_then_the_runs_marker():
    module = dag_module("reportar_falla")

    class Reporter:
        sent: list = []

        def report_failure(self, body, retry_safe=False):
            Reporter.sent.append(body)
            return {"numeroot": "OT-CORR-9"}

    params = {"idequipo": 1, "descripcion": "Fuga de aceite", "reportado_por": "Reportado por Juan Pérez vía WhatsApp."}
    module.reportar_falla(Reporter(), params, run={"run_id": "r1", "attempt": 1})
    module.reportar_falla(Reporter(), params)
    module.reportar_falla(Reporter(), {"idequipo": 1, "descripcion": "Fuga de aceite"})
    marker = module.report_marker("r1")
    assert [body.get("observacionesadicionales") for body in Reporter.sent] == [
        f"Reportado por Juan Pérez vía WhatsApp. {marker}", "Reportado por Juan Pérez vía WhatsApp", None,
    ], Reporter.sent
    from omnibot_common.reported_failure import pick_reported_failure

    created = {"numeroot": "OT-CORR-9", "observacionesfinales": Reporter.sent[0]["observacionesadicionales"]}
    assert pick_reported_failure([created], marker, None, None, None) is created


@check
def users_are_summarized_as_summarize_user_in_typescript():
    from omnibot_common.summaries import summarize_user

    assert summarize_user({"id": 10, "username": "tecnico1", "first_name": "Juan", "last_name": "Pérez", "usuarios": {"nombrerol": "Técnico"}}) == {
        "id": 10, "username": "tecnico1", "fullName": "Juan Pérez", "role": "Técnico",
    }
    assert summarize_user({"id": "2", "username": "sup", "rol": {"nombre": "Supervisor"}}) == {"id": 2, "username": "sup", "fullName": "sup", "role": "Supervisor"}
