import type { Context } from 'hono';

/** What the demo CMMS's routes share: DRF's pagination and its Spanish errors. */

export const PAGE_SIZE = 50;
export const NOT_FOUND = { detail: 'No encontrado.' };
export const NO_CREDENTIALS = { detail: 'Las credenciales de autenticación no se proveyeron.' };
export const NO_PERMISSION = { detail: 'Usted no tiene permiso para realizar esta acción.' };

/** DRF's `PageNumberPagination`: `{count, next, previous, results}`, `?page=N`, 404 past the end. */
export function page<T>(c: Context, items: T[], pageSize = PAGE_SIZE) {
  const n = Math.max(1, Number(c.req.query('page') ?? '1') || 1);
  const start = (n - 1) * pageSize;
  if (start > 0 && start >= items.length) return c.json({ detail: 'Página inválida.' }, 404);
  const url = new URL(c.req.url);
  const link = (p: number) => {
    url.searchParams.set('page', String(p));
    return url.toString();
  };
  return c.json({
    count: items.length,
    next: start + pageSize < items.length ? link(n + 1) : null,
    previous: n > 1 ? link(n - 1) : null,
    results: items.slice(start, start + pageSize),
  });
}

/** `[{idKey: 1, nameKey: names[0]}, …]`: a catalog table. */
export const named = (names: readonly string[], idKey: string, nameKey: string) =>
  names.map((name, i) => ({ [idKey]: i + 1, [nameKey]: name }));
