import { createHash } from 'node:crypto';
import catalog from './catalog.json' with { type: 'json' };
import { mayHaveReachedCmms } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';
import { isRecord, isWorkOrder } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/**
 * `reportar_falla`, params `{ idequipo, descripcion, prioridad?, reportado_por? }`: creates a corrective
 * work order. `reportado_por` ("Reportado por Juan Pérez vía WhatsApp") is written first in
 * `observacionesadicionales`, then the run's marker.
 */
export interface ReportFailureResult {
  order: WorkOrderSummary;
}

/**
 * Writes to the CMMS, so it must give the first attempt's outcome when its run is resumed: the
 * order carries its run's marker, and a resumed run (or a create that may have reached the CMMS
 * without an answer) looks for it before writing again.
 */
export const reportar_falla = defineWorkflow({
  id: 'reportar_falla',
  async run(cmms, params, run): Promise<ReportFailureResult> {
    const idequipo = params.idequipo as number;
    const descripcion = params.descripcion as string;
    const marker = run.runId === undefined ? undefined : reportMarker(run.runId);
    const lookup = { ...(marker ? { marker } : {}), idequipo, descripcion };
    if (marker && run.attempt > 1) {
      const existing = await cmms.findReportedFailure({ ...lookup, ...since(run.startedAt) });
      if (existing) return { order: existing };
    }
    await run.confirmHeld?.();
    const sentAt = Date.now();
    try {
      const order = await cmms.reportFailure({
        idequipo,
        descripcion,
        ...(params.prioridad === undefined ? {} : { prioridad: String(params.prioridad) }),
        ...observations(params.reportado_por as string | undefined, marker),
      });
      return { order };
    } catch (error) {
      // No answer (timeout, reset) or a 5xx: the create may have reached the CMMS, and an order
      // reported twice is worse than a look-up.
      if (!mayHaveReachedCmms(run.cmmsFailureOf(error))) throw error;
      const created = await cmms.findReportedFailure({ ...lookup, since: run.startedAt ?? sentAt }).catch(() => null);
      if (created) return { order: created };
      throw error;
    }
  },
  isResult: (value): value is ReportFailureResult => isRecord(value) && isWorkOrder(value.order),
  render: ({ order: o }) => ({
    text: `Falla reportada. Se creó la orden de trabajo ${o.numeroot}${o.equipo_nombre ? ` para el equipo ${o.equipo_nombre}` : ''}, con prioridad ${o.prioridad ?? 'Alta'} y estado ${o.estado_nombre ?? 'Abierta'}.`,
  }),
});

/**
 * What a failure report writes in `observacionesadicionales` (the demo CMMS keeps it as
 * `observacionesfinales`): readable by people, unique to the run, and without the user's ids (a
 * digest of the run id). Same text as `dags/reportar_falla.py` (`report_marker`).
 */
export function reportMarker(runId: string): string {
  const digest = createHash('sha256').update(runId).digest('hex').slice(0, 16);
  return `${catalog.cmms.reportedFailure.markerPrefix} (ref. ${digest})`;
}

/** `"<reportado_por>. <marker>"` (either alone when the other is missing), as `report_observations`. */
export function reportObservations(reportadoPor: string | undefined, marker: string | undefined): string | undefined {
  const parts = [reportadoPor?.replace(/\.+$/, ''), marker].filter((part): part is string => Boolean(part));
  return parts.length ? parts.join('. ') : undefined;
}

const observations = (reportadoPor: string | undefined, marker: string | undefined) => {
  const text = reportObservations(reportadoPor, marker);
  return text === undefined ? {} : { observaciones: text };
};

const since = (startedAt: number | undefined) => (startedAt === undefined ? {} : { since: startedAt });
