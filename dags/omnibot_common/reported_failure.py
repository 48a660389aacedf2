"""Finding the order an earlier attempt of a failure report created, as core/cmms/reported-failure.ts.

The report writes its run's marker in `observacionesadicionales`; a CMMS that keeps it shows it in
`observacionesfinales`, but where the API keeps that field is not documented and `completar/`
overwrites it. So an order also counts when it has the same equipment and exactly the same
description, and was created no earlier than the run started (less a margin for clocks), unless it
carries another run's marker. The constants are the catalog's `cmms.reportedFailure`, read when first
needed (never at import).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from .catalog import cmms_constants


def find_pages() -> int:
    """Pages a look-up for a reported failure reads at most (the first one and the newest ones)."""
    return int(cmms_constants()["reportedFailure"]["findPages"])


def marker_prefix() -> str:
    """The start of every marker (`<prefix> (ref. <16 hex>)`)."""
    return str(cmms_constants()["reportedFailure"]["markerPrefix"])


def clock_margin() -> timedelta:
    """How far the CMMS's clock may lag the worker's when comparing an order's creation with a run's start."""
    return timedelta(seconds=cmms_constants()["reportedFailure"]["clockMarginSeconds"])


def pick_reported_failure(
    orders: list[dict], marker: str | None, idequipo: int | None, descripcion: str | None, since: datetime | None
) -> dict | None:
    """The order of `orders` that the run reported: its marker first, else the fallback match."""

    def observations(order: dict) -> str:
        return str(order.get("observacionesfinales") or "")

    if marker:
        for order in orders:
            if marker in observations(order):
                return order
    if idequipo is None or not descripcion or since is None:
        return None
    not_before = _aware(since) - clock_margin()
    any_marker = f"{marker_prefix()} (ref."
    for order in orders:
        created = _created_at(order)
        if (
            str(order.get("idequipo")) == str(idequipo)
            and str(order.get("descripcionproblemareportado") or "").strip() == descripcion.strip()
            and any_marker not in observations(order)
            and created is not None
            and created >= not_before
        ):
            return order
    return None


def _aware(moment: datetime) -> datetime:
    """A naive time is the local one (as a CMMS without time zones writes it)."""
    return moment if moment.tzinfo else moment.astimezone()


def _created_at(order: dict) -> datetime | None:
    """The latest of the order's creation and report times; a bare date may be any time that day."""
    times = []
    for field in ("fechacreacionot", "fechareportefalla"):
        value = str(order.get(field) or "").strip()
        if not value:
            continue
        try:
            if len(value) == 10:
                day = date.fromisoformat(value)
                times.append(datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(days=1))
            else:
                times.append(_aware(datetime.fromisoformat(value.replace("Z", "+00:00"))))
        except ValueError:
            continue
    return max(times) if times else None
