import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { DEMO_CMMS_TOKEN } from '../../core/cmms/demo-users.ts';
import { createLogger } from '../../core/log.ts';
import { webUser } from '../channels/web-user.ts';
import { clearPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';

/** A backend that authenticates its users: only then may a REST web chat link a CMMS account. */
const WEB_API_KEY = 'cmms-v2-test-web-key';

/**
 * The later CMMS API end to end: a real gateway (Redis, embedded runner, embedded demo CMMS) with
 * `CMMS_API_PREFIX=/api/v2/`, driven through the web channel as people use it, and the demo CMMS
 * read back over its own `/api/v2/` as an administrator would. Every CMMS request the process makes
 * (undici's `request`) is recorded, so the routes v2 needs (search, create, PATCH) are seen in use.
 */

const cmmsCalls = vi.hoisted(() => [] as { method: string; path: string }[]);
vi.mock('undici', async (importOriginal) => {
  const actual = await importOriginal<typeof import('undici')>();
  const request: typeof actual.request = (url, options) => {
    const { pathname, search } = new URL(String(url));
    cmmsCalls.push({ method: String(options?.method ?? 'GET'), path: pathname + search });
    return actual.request(url, options);
  };
  return { ...actual, request };
});

const PUBLIC_URL = 'https://omnibot.example.com';
const asAdmin = { authorization: `Token ${DEMO_CMMS_TOKEN}` };

interface V2Order {
  idordentrabajo: number;
  numeroot: string;
  estado_nombre: string;
  tipo_mantenimiento_nombre: string;
  idsolicitante: number;
  solicitante_nombre: string;
  idtecnicoasignado: number | null;
  prioridad: string;
  descripcionproblemareportado: string | null;
  observacionesfinales: string | null;
  tiempototalminutos: number | null;
}

/** The order with this number as the demo CMMS's v2 shows it now (its list's `?search=`, then its detail). */
async function v2OrderNamed(gateway: Gateway, numeroot: string): Promise<V2Order> {
  const api = `${gateway.url}/demo-cmms/api/v2/ordenes-trabajo/`;
  const list = await fetch(`${api}?search=${encodeURIComponent(numeroot)}`, { headers: asAdmin });
  expect(list.status).toBe(200);
  const { results } = (await list.json()) as { results: V2Order[] };
  const found = results.find((o) => o.numeroot === numeroot);
  if (!found) throw new Error(`the CMMS has no order ${numeroot}`);
  const detail = await fetch(`${api}${found.idordentrabajo}/`, { headers: asAdmin });
  expect(detail.status).toBe(200);
  return (await detail.json()) as V2Order;
}

const callsSince = (mark: number) => cmmsCalls.slice(mark).map((c) => `${c.method} ${c.path}`);

/** "reportar falla" → CAT-001 → description → Alta → sí; the new order's number from the answer. */
async function reportFailure(user: ReturnType<typeof webUser>, description: string): Promise<string> {
  await user.say('reportar falla');
  await user.next(/¿En qué equipo\?/);
  await user.say('CAT-001');
  await user.next(/Describe la falla/);
  await user.say(description);
  await user.next(/¿Qué prioridad tiene\?/);
  await user.say('Alta');
  const confirmation = await user.next(/¿Confirmas\?/);
  expect(confirmation.text).toContain('CAT-001');
  await user.say('sí');
  const done = await user.next(/Falla reportada|No pude registrar la falla/);
  const numeroot = /OT-CORR-CAT-001-\d{14}-\d{3}/.exec(done.text);
  expect(numeroot, done.text).not.toBeNull();
  return numeroot![0];
}

/** Links the web user through the `/link/<code>` page from the reply to "vincular cuenta". */
async function linkAs(gateway: Gateway, user: ReturnType<typeof webUser>, username: string, who: string) {
  await user.say('vincular cuenta');
  const ask = await user.next(/Para vincular tu cuenta del CMMS abre este enlace/);
  const link = /https?:\/\/\S+\/link\/[A-Za-z0-9_-]+/.exec(ask.text)?.[0];
  expect(link, ask.text).toBeDefined();
  expect(link!.startsWith(`${PUBLIC_URL}/link/`)).toBe(true);
  const url = gateway.url + link!.slice(PUBLIC_URL.length);
  expect((await fetch(url)).status).toBe(200);
  const posted = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password: username }).toString(),
  });
  expect(posted.status).toBe(200);
  expect(await posted.text()).toContain(`Listo, ${who}: tu cuenta quedó vinculada.`);
  const linked = await user.next(/^Listo, /);
  expect(linked.text.startsWith(`Listo, ${who}`)).toBe(true);
}

describe('CMMS_API_PREFIX=/api/v2/ through the gateway (embedded runner, embedded demo CMMS)', () => {
  let gateway: Gateway;
  const prefix = uniquePrefix('cmms-v2');
  const user = (id: string, name: string) =>
    webUser({ gatewayUrl: gateway.url, userId: `${id}-${prefix}`, name, apiKey: WEB_API_KEY });

  beforeAll(async () => {
    gateway = await startGateway(
      {
        LOG_LEVEL: 'silent',
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        CMMS_API_PREFIX: '/api/v2/',
        IDENTITY_REQUIRED: 'none',
        WEB_API_KEY,
        IDENTITY_KEY: 'cmms-v2-identity-key-of-32-chars',
        PUBLIC_URL,
      },
      { port: 0, host: '127.0.0.1' },
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await clearPrefix(prefix);
  });

  it('answers the state of OT-CORR-1, found through search/ordenes/', async () => {
    const mark = cmmsCalls.length;
    const ana = user('ana', 'Ana Torres');
    await ana.say('consultar estado de OT-CORR-1');
    const answer = await ana.next(/La orden de trabajo OT-CORR-1/);
    expect(answer.text).toMatch(/se encuentra en estado: En Progreso\./);
    const calls = callsSince(mark);
    expect(calls).toContain('GET /demo-cmms/api/v2/search/ordenes/?search=OT-CORR-1');
    // Found by the search: the order list is not paged.
    expect(calls.filter((c) => c.startsWith('GET /demo-cmms/api/v2/ordenes-trabajo/?'))).toEqual([]);
  });

  it('files an unlinked user’s failure report with v2’s create route, as the service account', async () => {
    const mark = cmmsCalls.length;
    const beto = user('beto', 'Beto Araya');
    const description = 'Pérdida de presión en el circuito hidráulico';
    const numeroot = await reportFailure(beto, description);
    const calls = callsSince(mark);
    expect(calls).toContain('POST /demo-cmms/api/v2/ordenes-trabajo/');
    expect(calls.some((c) => c.includes('reportar-falla'))).toBe(false);

    const order = await v2OrderNamed(gateway, numeroot);
    expect(order).toMatchObject({
      estado_nombre: 'Abierta',
      tipo_mantenimiento_nombre: 'Correctivo',
      idsolicitante: 1, // the service account `demo`
      solicitante_nombre: 'Asistente Omnibot',
      prioridad: 'Alta',
      descripcionproblemareportado: description,
    });
    expect(order.observacionesfinales).toContain('Reportado por Beto Araya vía el chat web');
  });

  it('a linked technician reports as himself, then completes the order by PATCH', async () => {
    const juan = user('juan', 'Juan');
    await linkAs(gateway, juan, 'tecnico1', 'Juan Pérez (Técnico)');
    const description = 'Fuga de aceite en el cilindro del brazo';
    const numeroot = await reportFailure(juan, description);
    expect(await v2OrderNamed(gateway, numeroot)).toMatchObject({
      idsolicitante: 10,
      solicitante_nombre: 'Juan Pérez',
      idtecnicoasignado: 10,
      estado_nombre: 'Abierta',
    });

    const mark = cmmsCalls.length;
    const observations = 'Se cambió el sello del cilindro y se probó sin fugas';
    await juan.say(`completar ${numeroot}`);
    await juan.next(/Escribe las observaciones finales/);
    await juan.say(observations);
    await juan.next(/¿Cuánto tiempo te tomó el trabajo, en minutos\?/);
    await juan.say('45');
    const confirm = await juan.next(/¿Confirmas\?/);
    expect(confirm.text).toContain(numeroot);
    await juan.say('sí');
    await juan.next(/^Listo, completé la orden .* \(45 min\)\./);

    const order = await v2OrderNamed(gateway, numeroot);
    expect(order).toMatchObject({
      estado_nombre: 'Completada',
      tiempototalminutos: 45,
      observacionesfinales: observations,
    });
    const calls = callsSince(mark);
    expect(calls).toContain(`PATCH /demo-cmms/api/v2/ordenes-trabajo/${order.idordentrabajo}/`);
    expect(calls.some((c) => c.includes('completar'))).toBe(false);
  });

  it('lists the open orders without a technician for a supervisor', async () => {
    const carolina = user('carolina', 'Carolina');
    await linkAs(gateway, carolina, 'supervisor1', 'Carolina Muñoz (Supervisor)');
    await carolina.say('OT sin asignar');
    const list = await carolina.next(/^Órdenes de trabajo sin asignar \(\d+\):|^No hay órdenes/);
    // The seed's open orders without a technician and the reports made above (Abierta: not yet
    // assigned by a supervisor); one assigned to María is not listed.
    expect(list.text).toMatch(/^Órdenes de trabajo sin asignar \(\d+\):/);
    expect(list.text).toContain('OT-PREV-4');
    expect(list.text).toContain('OT-CORR-CAT-002-20261124170414-768');
    expect(list.text).not.toContain('OT-PREV-3');
  });
});

describe('CMMS_API_PREFIX=/api/v2/ with a service account of a token alone', () => {
  let cmms: Gateway;
  let gateway: Gateway;
  const cmmsPrefix = uniquePrefix('cmms-v2-demo');
  const prefix = uniquePrefix('cmms-v2-token');
  const lines: string[] = [];

  beforeAll(async () => {
    // The embedded demo always has the service account's username and password: a second gateway
    // talks to the first one's demo CMMS with only CMMS_TOKEN.
    cmms = await startGateway(
      { LOG_LEVEL: 'silent', REDIS_URL, REDIS_KEY_PREFIX: cmmsPrefix, IDENTITY_REQUIRED: 'none' },
      { port: 0, host: '127.0.0.1' },
    );
    gateway = await startGateway(
      {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        CMMS_URL: `${cmms.url}/demo-cmms`,
        CMMS_API_PREFIX: '/api/v2/',
        CMMS_TOKEN: DEMO_CMMS_TOKEN,
        IDENTITY_REQUIRED: 'none',
      },
      { port: 0, host: '127.0.0.1', logger: createLogger('info', {}, (line) => lines.push(line)) },
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await cmms?.stop();
    await clearPrefix(prefix);
    await clearPrefix(cmmsPrefix);
  });

  it('reads with the token, but tells an unlinked reporter in Spanish that it could not file the report', async () => {
    const eva = webUser({ gatewayUrl: gateway.url, userId: `eva-${prefix}`, name: 'Eva Rojas' });
    await eva.say('estado OT-CORR-1');
    await eva.next(/La orden de trabajo OT-CORR-1 .* se encuentra en estado: En Progreso\./);

    const mark = cmmsCalls.length;
    await eva.say('reportar falla');
    await eva.next(/¿En qué equipo\?/);
    await eva.say('CAT-001');
    await eva.next(/Describe la falla/);
    await eva.say('Vibración anormal en el eje trasero');
    await eva.next(/¿Qué prioridad tiene\?/);
    await eva.say('Alta');
    await eva.next(/¿Confirmas\?/);
    await eva.say('sí');
    const failed = await eva.next(/^No pude registrar la falla/);
    expect(failed.text).toBe(
      'No pude registrar la falla: ocurrió un error en el proceso. Avisa a un supervisor: escribe "hablar con un supervisor".',
    );
    // Nothing was created; the conversation's event log (what an admin inspects) names the setting to fix.
    expect(callsSince(mark).some((c) => c.startsWith('POST /demo-cmms/'))).toBe(false);
    const events = await gateway.store.readEvents(`web:eva-${prefix}`);
    const result = events.map((e) => e.event).find((e) => e.type === 'workflow.result' && e.dagId === 'reportar_falla');
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'config_missing', message: expect.stringMatching(/set CMMS_USERNAME\/CMMS_PASSWORD/) },
    });
    expect(JSON.stringify(events)).not.toContain(DEMO_CMMS_TOKEN);
    expect(lines.join('\n')).toMatch(/"dagId":"reportar_falla","code":"config_missing"/);
    expect(lines.join('\n')).not.toContain(DEMO_CMMS_TOKEN);
  });
});
