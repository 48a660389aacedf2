import { expect } from 'vitest';
import { type DemoWorkOrder, WORK_ORDER_STATES } from '../../core/cmms/demo-data.ts';
import { DEMO_CMMS_TOKEN } from '../../core/cmms/demo-users.ts';
import { PEOPLE } from './people.ts';

/** What the embedded demo CMMS recorded, read (and changed) over its HTTP API as an administrator would. */

const asAdmin = { authorization: `Token ${DEMO_CMMS_TOKEN}` };

/** The demo's id of a work order state (`idestadoot`), by its name. */
export const stateId = (name: string) => WORK_ORDER_STATES.indexOf(name) + 1;

/** Every work order (following the pages of 50). */
export async function allOrders(api: string): Promise<DemoWorkOrder[]> {
  const orders: DemoWorkOrder[] = [];
  let url: string | null = `${api}/ordenes-trabajo/`;
  while (url) {
    const response = await fetch(url, { headers: asAdmin });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { next: string | null; results: DemoWorkOrder[] };
    orders.push(...page.results);
    // The demo's links name its own host; keep asking the one we reach.
    url = page.next ? `${api}/ordenes-trabajo/${new URL(page.next).search}` : null;
  }
  return orders;
}

/** The order with this number, as the CMMS has it now. */
export async function orderNamed(api: string, numeroot: string): Promise<DemoWorkOrder> {
  const found = (await allOrders(api)).find((o) => o.numeroot === numeroot);
  if (!found) throw new Error(`the CMMS has no order ${numeroot}`);
  const response = await fetch(`${api}/ordenes-trabajo/${found.idordentrabajo}/`, { headers: asAdmin });
  expect(response.status).toBe(200);
  return (await response.json()) as DemoWorkOrder;
}

/** Logs in as the user (password = username): the demo answers the user's one token. */
async function logIn(api: string, username: string): Promise<string> {
  const login = await fetch(`${api}/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: username }),
  });
  expect(login.status).toBe(200);
  return ((await login.json()) as { token: string }).token;
}

/** Changes an order's fields (PATCH), as the holder of `token` (the administrator by default). */
export async function changeOrder(
  api: string,
  orderId: number,
  change: Record<string, unknown>,
  token = DEMO_CMMS_TOKEN,
): Promise<void> {
  const patched = await fetch(`${api}/ordenes-trabajo/${orderId}/`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Token ${token}` },
    body: JSON.stringify(change),
  });
  expect(patched.status).toBe(200);
}

/** Changes an order signed in as the supervisor (supervisor1, Carolina Muñoz), as a person would in the CMMS. */
export async function changeOrderAsSupervisor(
  api: string,
  orderId: number,
  change: Record<string, unknown>,
): Promise<void> {
  await changeOrder(api, orderId, change, await logIn(api, PEOPLE.carolina.username));
}

/** Logs in as the user and logs that token out: the CMMS forgets it. */
export async function logOutEverywhere(api: string, username: string): Promise<void> {
  const token = await logIn(api, username);
  const logout = await fetch(`${api}/logout/`, { method: 'POST', headers: { authorization: `Token ${token}` } });
  expect(logout.status).toBe(204);
  const after = await fetch(`${api}/ordenes-trabajo/`, { headers: { authorization: `Token ${token}` } });
  expect(after.status).toBe(401);
}
