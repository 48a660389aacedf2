/**
 * The whole path with a real Airflow: the gateway (AIRFLOW_URL set, real Redis) triggers the DAGs,
 * the DAGs call the demo CMMS and POST their signed result back, and the user reads the answer in
 * the web conversation.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { clearPrefix } from '../support/redis.ts';
import { type AirflowAdmin, airflowAdmin, airflowEnv } from './support/airflow-admin.ts';
import { startTestCmms, type TestCmms } from './support/cmms.ts';
import { airflowPrefix, startAirflowGateway } from './support/gateway.ts';

const env = airflowEnv();
const prefix = airflowPrefix('test');
let admin: AirflowAdmin;
let cmms: TestCmms;
let gateway: Gateway;

interface Turn {
  conversation_id: string;
  conversation_token: string;
  replies: { text: string; buttons?: { id: string; title: string }[] }[];
  status: string;
}

interface Transcript {
  messages: { direction: 'in' | 'out'; text: string; at: string }[];
}

async function say(userId: string, message: string): Promise<Turn> {
  const res = await request(`${gateway.url}/api/bot/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId, message }),
  });
  const body = (await res.body.json()) as Turn;
  expect(res.statusCode).toBe(200);
  return body;
}

/** Waits for an outbound message that matches, reading the transcript as the web client does. */
async function waitForMessage(turn: Turn, matches: (text: string) => boolean, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    const res = await request(
      `${gateway.url}/api/bot/conversations/${encodeURIComponent(turn.conversation_id)}/messages`,
      {
        headers: { authorization: `Bearer ${turn.conversation_token}` },
      },
    );
    const body = (await res.body.json()) as Transcript;
    expect(res.statusCode).toBe(200);
    seen = body.messages.filter((m) => m.direction === 'out').map((m) => m.text);
    const hit = seen.find(matches);
    if (hit) return hit;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no matching outbound message within ${timeoutMs} ms; got:\n${seen.join('\n---\n')}`);
}

const user = (label: string) => `airflow-${label}-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  admin = airflowAdmin(env);
  cmms = await startTestCmms(admin);
  gateway = await startAirflowGateway(
    { env, prefix, callbackSecret: cmms.secret },
    {
      LOG_LEVEL: 'silent',
      CMMS_URL: cmms.url,
      CMMS_TOKEN: cmms.token,
      // The service account's path: unlinked users report through it (the linked users' flow has a test of its own).
      IDENTITY_REQUIRED: 'none',
      // The callback is what must bring the answer: the status poll is only a slow fallback here.
      WORKFLOW_TIMEOUT_MS: '150000',
      WORKFLOW_POLL_INTERVAL_MS: '60000',
    },
  );
});

afterAll(async () => {
  await gateway?.stop();
  await cmms?.useIt().catch(() => undefined);
  await cmms?.close();
  await clearPrefix(prefix);
});

describe('gateway + real Airflow', () => {
  it('answers a work-order status question with the state read by the DAG', async () => {
    const turn = await say(user('status'), 'consultar estado de OT-CORR-1');
    const answer = await waitForMessage(turn, (text) => text.includes('OT-CORR-1') && text.includes('En Progreso'));
    expect(answer).toMatch(/OT-CORR-1/);
  });

  it('completes the failure-report dialogue and gives the new order number', async () => {
    const id = user('report');
    let turn = await say(id, 'reportar falla');
    expect(turn.replies.map((r) => r.text).join('\n')).toMatch(/equipo/i);
    turn = await say(id, 'CAT-001');
    expect(turn.replies.map((r) => r.text).join('\n')).toMatch(/Describe la falla/);
    turn = await say(id, 'Fuga de aceite hidráulico en el brazo principal');
    const priority = turn.replies.flatMap((r) => r.buttons ?? []).find((b) => b.title === 'Alta');
    expect(priority).toBeDefined();
    turn = await say(id, 'alta');
    expect(turn.replies.map((r) => r.text).join('\n')).toMatch(/Confirmas/);
    turn = await say(id, 'si');
    const answer = await waitForMessage(turn, (text) => /OT-CORR-CAT-001-\d+-\d+/.test(text));
    expect(answer).toMatch(/OT-CORR-/);
  });

  it('tells the user in Spanish, without waiting for a timeout, when the DAG fails', async () => {
    // The DAGs (not the gateway) see a CMMS that does not answer.
    await admin.setVariable('cmms_url', 'http://127.0.0.1:9');
    try {
      const turn = await say(user('failure'), 'consultar estado de OT-CORR-1');
      const answer = await waitForMessage(turn, (text) => text.startsWith('No pude'));
      expect(answer).toMatch(
        /No pude consultar la orden de trabajo: el sistema de mantenimiento \(CMMS\) no responde\./,
      );
      expect(answer).not.toMatch(/tardando/);
    } finally {
      await cmms.useIt();
    }
  });
});
