import { foldText } from '../../lib/fold-text.ts';
import { badResponse } from './failures.ts';
import { asPage, cmmsRoutes } from './routes.ts';
import type { CmmsCall, CmmsCatalogs } from './v2-types.ts';

/**
 * The ids of catalog entries by name (work-order states, maintenance types), read from the CMMS and
 * kept for a while. State names differ between CMMS seeds (`Abierta`/`Asignada`/`En Progreso` in one,
 * `Pendiente`/`En Proceso` in another), so a name is looked up with its synonyms, in order. Names
 * are compared with case and accents ignored. The DAGs use the same table (`cmms_v2.py`).
 */

/** Each group: the names of one state, the preferred first. A name outside every group is looked up alone. */
export const STATE_SYNONYMS: readonly (readonly string[])[] = [
  ['Abierta', 'Pendiente', 'Abierto', 'Nueva'],
  ['Asignada', 'Asignado'],
  ['En Progreso', 'En Proceso', 'En Ejecución', 'En Curso'],
  ['Completada', 'Completado', 'Finalizada', 'Terminada', 'Cerrada'],
  ['Cancelada', 'Cancelado', 'Anulada'],
];

export const MAINTENANCE_TYPE_SYNONYMS: readonly (readonly string[])[] = [
  ['Correctivo', 'Correctiva', 'Mantenimiento Correctivo'],
];

/** Catalog tables are tiny; more pages than this is a bad response. */
const MAX_TABLE_PAGES = 10;
/** How long a table read is trusted (a name it lacks reads it again once). */
export const CATALOG_TTL_MS = 10 * 60_000;
/** A name a table lacks reads it again, but not sooner than this after the last read. */
const REREAD_AFTER_MS = 30_000;

/** The names to try for `name`: its group (preferred first, `name` itself at its place), else `name` alone. */
export function namesFor(name: string, groups: readonly (readonly string[])[]): string[] {
  const key = foldText(name);
  const group = groups.find((names) => names.some((n) => foldText(n) === key));
  if (!group) return [name];
  // The asked name first, then the others in the group's order.
  return [name, ...group.filter((n) => foldText(n) !== key)];
}

/** The id of the first of `names` in `table` (folded name → id). */
export function pickId(table: ReadonlyMap<string, number>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const id = table.get(foldText(name));
    if (id !== undefined) return id;
  }
  return undefined;
}

interface Table {
  route: string;
  idKey: string;
  nameKeys: readonly string[];
  groups: readonly (readonly string[])[];
}

const STATES: Table = {
  route: cmmsRoutes.workOrderStates,
  idKey: 'idestadoot',
  nameKeys: ['nombreestadoot', 'nombre'],
  groups: STATE_SYNONYMS,
};
const MAINTENANCE_TYPES: Table = {
  route: cmmsRoutes.maintenanceTypes,
  idKey: 'idtipomantenimientoot',
  nameKeys: ['nombretipomantenimientoot', 'nombretipo', 'nombre'],
  groups: MAINTENANCE_TYPE_SYNONYMS,
};

async function readTable(call: CmmsCall, table: Table): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let n = 1; ; n++) {
    const page = asPage(await call('GET', `${table.route}?page=${n}`));
    for (const row of page.results) {
      const id = Number(row[table.idKey]);
      const name = table.nameKeys.map((key) => row[key]).find((value) => typeof value === 'string');
      if (Number.isSafeInteger(id) && id > 0 && typeof name === 'string' && !ids.has(foldText(name))) {
        ids.set(foldText(name), id);
      }
    }
    if (!page.next) return ids;
    if (n >= MAX_TABLE_PAGES) throw badResponse(`CMMS table ${table.route} has more than ${MAX_TABLE_PAGES} pages`);
  }
}

export function createCmmsCatalogs(options: { ttlMs?: number; now?: () => number } = {}): CmmsCatalogs {
  const ttlMs = options.ttlMs ?? CATALOG_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<Table, { at: number; ids: Map<string, number> }>();

  async function find(call: CmmsCall, table: Table, name: string): Promise<number | undefined> {
    const names = namesFor(name, table.groups);
    const kept = cache.get(table);
    const fresh = kept && now() - kept.at < ttlMs ? kept : undefined;
    const known = fresh ? pickId(fresh.ids, names) : undefined;
    if (known !== undefined) return known;
    if (fresh && now() - fresh.at < REREAD_AFTER_MS) return undefined; // just read: asking again changes nothing
    const ids = await readTable(call, table); // stale, or an entry added in the CMMS since
    cache.set(table, { at: now(), ids });
    return pickId(ids, names);
  }

  return {
    findStateId: (call, name) => find(call, STATES, name),
    async stateId(call, name) {
      const id = await find(call, STATES, name);
      if (id === undefined) throw badResponse(`CMMS has no work-order state named ${name}`);
      return id;
    },
    async maintenanceTypeId(call, name) {
      const id = await find(call, MAINTENANCE_TYPES, name);
      if (id === undefined) throw badResponse(`CMMS has no maintenance type named ${name}`);
      return id;
    },
  };
}
