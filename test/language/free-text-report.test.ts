import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { replayEventLog } from '../../core/inspect/replay.ts';
import { readTimeline } from '../../core/inspect/timeline.ts';
import type { MessageUnderstanding } from '../../core/runtime/model.ts';
import { conversationModel } from '../../machines/model.ts';
import { orderNamed } from '../roles/cmms.ts';
import { clearPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { type WebAnswer, webClient } from '../support/web-client.ts';
import { type EquipmentMode, startEquipmentCmms } from './equipment-cmms.ts';

/**
 * A technician writes the failure as they would say it, on the real gateway (Redis, embedded runner,
 * the demo CMMS on its own port): what one message says (equipment, symptom, priority) is taken, only
 * what it leaves out is asked, and what was understood is kept on the message's event.
 */

type EquipmentCmms = Awaited<ReturnType<typeof startEquipmentCmms>>;

async function gatewayOver(mode: EquipmentMode) {
  const cmms = await startEquipmentCmms(mode);
  const prefix = uniquePrefix('language');
  const gateway = await startGateway(
    {
      LOG_LEVEL: 'silent',
      IDENTITY_REQUIRED: 'none',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      WORKFLOW_POLL_INTERVAL_MS: '200',
      ...cmms.env,
    },
    { port: 0, host: '127.0.0.1' },
  );
  return {
    cmms,
    gateway,
    client: webClient(gateway.url),
    async stop() {
      cmms.release(); // a held CMMS request would hold the client's shutdown
      await gateway.stop();
      cmms.close();
      await clearPrefix(prefix);
    },
  };
}

const said = (answer: WebAnswer) => answer.replies.map((reply) => reply.text).join('\n');

async function userEvents(gateway: Gateway, conversationId: string) {
  const entries = await gateway.store.readEvents(conversationId, 100);
  return entries
    .map((entry) => entry.event as { type: string; text?: string; action?: string; understood?: MessageUnderstanding })
    .filter((event) => event.type === 'user.message');
}

describe('a failure report written in one message', () => {
  let up: Awaited<ReturnType<typeof gatewayOver>>;
  beforeAll(async () => {
    up = await gatewayOver('up');
  });
  afterAll(async () => {
    await up.stop();
  });

  it('asks only the priority, then confirms, and the CMMS gets the order with what the message said', async () => {
    const { client, cmms } = up;
    const user = 'tecnico-fuga';
    const first = await client.send(user, 'la excavadora CAT-002 tiene una fuga de aceite');
    expect(said(first)).toMatch(/Excavadora CAT 336/);
    expect(said(first)).toMatch(/prioridad/i);
    expect(first.replies.at(-1)?.buttons?.map((b) => b.id)).toContain('priority:critica');

    const priority = await client.send(user, 'urgente');
    expect(said(priority)).toMatch(/Crítica/);
    expect(said(priority)).toMatch(/fuga de aceite/);
    expect(priority.replies.at(-1)?.buttons?.map((b) => b.id)).toEqual(['confirm:yes', 'confirm:no']);

    const confirmed = await client.send(user, 'sí');
    const done = await client.waitForReply(confirmed.conversation_id, confirmed.conversation_token, /Falla reportada/);
    const numeroot = /OT-CORR-CAT-002-\d{14}-\d+/.exec(done)?.[0];
    expect(numeroot, done).toBeDefined();
    const order = await orderNamed(cmms.api, numeroot!);
    expect(order.equipo_nombre).toBe('Excavadora CAT 336');
    expect(order.prioridad).toBe('Crítica');
    expect(order.descripcionproblemareportado).toContain('fuga de aceite');
  });

  it('keeps what each typed message was understood to say in the event log and the timeline', async () => {
    const { client, gateway } = up;
    const answer = await client.send('tecnico-bitacora', 'la excavadora CAT-002 tiene una fuga de aceite');
    const [event] = await userEvents(gateway, answer.conversation_id);
    expect(event?.understood).toMatchObject({
      intent: 'report_failure',
      slots: { equipment: { codes: ['CAT-002'] }, description: 'tiene una fuga de aceite' },
    });
    const [entry] = await readTimeline(gateway.store, answer.conversation_id, 10);
    expect(entry?.understood).toMatch(/^report_failure .*CAT-002/);
    // Replayed as it was read: the same state, without reading the text again against a catalog.
    const replay = await replayEventLog(
      conversationModel,
      answer.conversation_id,
      await gateway.store.readEvents(answer.conversation_id),
    );
    expect(replay.matches).toBe(true);
    expect(replay.timeline[0]?.replies.join('\n')).toMatch(/Excavadora CAT 336/);
  });

  it('reads no text of a pressed button: its event carries no understanding', async () => {
    const { client, gateway } = up;
    const user = 'tecnico-botones';
    await client.send(user, 'la excavadora CAT-002 tiene una fuga de aceite');
    const pressed = await client.send(user, 'Alta', { action: 'priority:alta' });
    expect(said(pressed)).toMatch(/Prioridad: Alta/);
    const events = await userEvents(gateway, pressed.conversation_id);
    expect(events.map((event) => [event.action ?? event.text, event.understood !== undefined])).toEqual([
      ['la excavadora CAT-002 tiene una fuga de aceite', true],
      ['priority:alta', false],
    ]);
  });
});

describe('with the CMMS equipment list down', () => {
  let down: Awaited<ReturnType<typeof gatewayOver>>;
  let cmms: EquipmentCmms;
  beforeAll(async () => {
    down = await gatewayOver('hanging');
    cmms = down.cmms;
  });
  afterAll(async () => {
    await down.stop();
  });

  it('answers a typed message although the CMMS never answers the list', async () => {
    const answer = await down.client.send('tecnico-espera', 'buen día');
    expect(said(answer)).toMatch(/Hola|Buen/i);
    expect(cmms.equipmentRequests()).toBeGreaterThan(0); // the list was asked for, and never came
  });

  it('answers a report naming equipment while the list fails, and keeps its equipment code', async () => {
    cmms.setMode('failing');
    const answer = await down.client.send('tecnico-caida', 'la excavadora CAT-002 tiene una fuga de aceite');
    // The lookup of the code it named fails too: the user is told so, and may write it again.
    expect(said(answer)).toMatch(/No pude consultar los equipos/);
    const [event] = await userEvents(down.gateway, answer.conversation_id);
    expect(event?.understood?.slots.equipment).toMatchObject({ code: 'CAT-002', codes: [] });
  });
});
