import { expect } from 'vitest';
import type { DemoWorkOrder } from '../../core/cmms/demo-data.ts';
import { DEMO_CMMS_TOKEN } from '../../core/cmms/demo-users.ts';

/** What the embedded demo CMMS recorded, read over its HTTP API as an administrator would. */

const asAdmin = { authorization: `Token ${DEMO_CMMS_TOKEN}` };

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

/** Logs in as the user (the demo answers the user's one token) and logs that token out: the CMMS forgets it. */
export async function logOutEverywhere(api: string, username: string): Promise<void> {
  const login = await fetch(`${api}/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: username }),
  });
  expect(login.status).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const logout = await fetch(`${api}/logout/`, { method: 'POST', headers: { authorization: `Token ${token}` } });
  expect(logout.status).toBe(204);
  const after = await fetch(`${api}/ordenes-trabajo/`, { headers: { authorization: `Token ${token}` } });
  expect(after.status).toBe(401);
}
