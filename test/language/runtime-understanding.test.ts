import { describe, expect, it } from 'vitest';
import { demoEquipment } from '../../core/cmms/demo-equipment.ts';
import { createMemoryEventBus } from '../../core/events/bus.ts';
import type { Logger } from '../../core/log.ts';
import type { ConversationModel, MessageUnderstanding } from '../../core/runtime/model.ts';
import { type RuntimeCmms, withDefaults } from '../../core/runtime/options.ts';
import { conversationServices } from '../../core/runtime/workflow-runs.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import { type EquipmentSummary, summarizeEquipment } from '../../core/workflows/results.ts';
import { conversationModel } from '../../machines/model.ts';
import { makeRuntime, message, recordingRunner, stubCmms } from '../support/runtime-harness.ts';

/**
 * The runtime's side of understanding messages: each typed message is read by the model (with the
 * CMMS catalog) before its turn and the reading rides on its event; a pressed button is never read; a
 * model that fails leaves the turn as it was; and the equipment a message named is looked up by code.
 */

const CATALOG: EquipmentSummary[] = demoEquipment().map((e) => summarizeEquipment({ ...e }));
const byCode = (code: string) => CATALOG.find((e) => e.codigointerno === code)!;

/** A logger that keeps what it is told. */
function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, msg: string): void => {
      lines.push({ level, fields, msg });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return { logger, lines };
}

/** The conversation model, its `understand` watched (what it was given, what the catalog answered). */
function watchedModel(understand?: ConversationModel['understand']) {
  const calls: Array<{ text: string; catalog: readonly EquipmentSummary[] | null }> = [];
  const model: ConversationModel = {
    ...conversationModel,
    async understand(text, catalog) {
      const list = await catalog();
      calls.push({ text, catalog: list });
      return (understand ?? conversationModel.understand!)(text, async () => list);
    },
  };
  return { model, calls };
}

const userMessages = async (store: ConversationStore, conversationId: string) =>
  (await store.readEvents(conversationId, 100))
    .map((entry) => entry.event as { type: string; understood?: MessageUnderstanding })
    .filter((event) => event.type === 'user.message');

describe('messages understood by the runtime', () => {
  it('reads each typed message with the CMMS catalog, and never a pressed button or an empty message', async () => {
    const store = createMemoryStore();
    const { model, calls } = watchedModel();
    const { runtime } = makeRuntime(store, { model, cmms: { listEquipment: async () => CATALOG } });
    await runtime.receive(message('ana', 'la grúa no levanta'));
    await runtime.receive(message('ana', 'Cancelar', { action: 'confirm:no' }));
    await runtime.receive(message('ana', '', { attachments: [{ kind: 'image', id: 'media-1' }] }));
    expect(calls).toEqual([{ text: 'la grúa no levanta', catalog: CATALOG }]);
    const events = await userMessages(store, 'web:ana');
    expect(events.map((event) => event.understood?.slots.equipment?.codes)).toEqual([
      ['LIE-001'],
      undefined,
      undefined,
    ]);
  });

  it('answers the message when the model fails, logging the channel but not the user’s text', async () => {
    const store = createMemoryStore();
    const { logger, lines } = recordingLogger();
    const failing: ConversationModel = {
      ...conversationModel,
      understand: async () => {
        throw new Error('classifier exploded');
      },
    };
    const { runtime } = makeRuntime(store, { model: failing, logger });
    const result = await runtime.receive(message('beto', 'hola, necesito ayuda con la pala'));
    expect(result.replies.length).toBeGreaterThan(0);
    expect((await userMessages(store, 'web:beto'))[0]?.understood).toBeUndefined();
    const failure = lines.find((line) => line.level === 'error');
    expect(failure?.fields).toMatchObject({ channel: 'web', err: expect.any(Error) });
    expect(JSON.stringify(lines.map((line) => [line.fields, line.msg]))).not.toContain('pala');
  });

  it('understands without the catalog when the CMMS has none to give', async () => {
    const store = createMemoryStore();
    const { model, calls } = watchedModel();
    const { runtime } = makeRuntime(store, {
      model,
      cmms: { listEquipment: () => Promise.reject(new Error('CMMS down')) },
    });
    const result = await runtime.receive(message('carla', 'KOM-001 no arranca'));
    expect(result.replies.length).toBeGreaterThan(0);
    expect(calls).toEqual([{ text: 'KOM-001 no arranca', catalog: null }]);
    const [event] = await userMessages(store, 'web:carla');
    expect(event?.understood?.slots.equipment).toMatchObject({ code: 'KOM-001', codes: [] });
  });
});

describe('equipment looked up by the codes a message named', () => {
  const services = (cmms: RuntimeCmms) =>
    conversationServices(
      withDefaults({
        model: conversationModel,
        store: createMemoryStore(),
        runner: recordingRunner(),
        cmms,
        deliver: async () => {},
        bus: createMemoryEventBus(),
        logger: recordingLogger().logger,
        callbackUrl: 'http://127.0.0.1:1/api/bot/webhook',
        workflowTimeoutMs: 60_000,
        workflowPollIntervalMs: 1_000,
        dedupTtlMs: 60_000,
      }),
    );
  /** The CMMS's own lookup over the demo catalog, recording the queries it was asked. */
  const cmmsOverCatalog = (queries: string[]) =>
    stubCmms({
      findEquipment: async (query) => {
        queries.push(query);
        const q = query.toLowerCase();
        return CATALOG.filter((e) => `${e.codigointerno} ${e.nombreequipo}`.toLowerCase().includes(q));
      },
    });

  it('answers exactly those equipment, in the codes’ order, from the CMMS', async () => {
    const queries: string[] = [];
    const found = await services(cmmsOverCatalog(queries)).findEquipment({
      conversationId: 'web:dora',
      query: 'la excavadora',
      codes: ['CAT-002', 'CAT-001'],
    });
    expect(found).toEqual([byCode('CAT-002'), byCode('CAT-001')]);
    expect(queries).not.toContain('la excavadora');
  });

  it('leaves out a code the CMMS no longer has', async () => {
    const found = await services(cmmsOverCatalog([])).findEquipment({
      conversationId: 'web:dora',
      query: 'cat',
      codes: ['CAT-009', 'KOM-002'],
    });
    expect(found).toEqual([byCode('KOM-002')]);
  });

  it('looks up the query as written when the message named no catalog code', async () => {
    const queries: string[] = [];
    const found = await services(cmmsOverCatalog(queries)).findEquipment({
      conversationId: 'web:dora',
      query: 'Grúa',
      codes: [],
    });
    expect(queries).toEqual(['Grúa']);
    expect(found).toEqual([byCode('LIE-001')]);
  });
});
