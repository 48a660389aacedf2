import { describe, expect, it } from 'vitest';
import { type AnyActorRef, createActor, fromPromise, waitFor } from 'xstate';
import { DEMO_CAT_001 } from '../core/cmms/demo-data.ts';
import type { EquipmentSummary } from '../core/workflows/results.ts';
import {
  conversationMachine,
  type FindEquipmentInput,
  type ReplyEmitted,
  type StartWorkflowInput,
} from './conversation.ts';
import { detectIntent, parseConfirmation, parsePriority } from './intents.ts';
import { renderWorkflowError } from './replies.ts';

const excavator = DEMO_CAT_001;

/** Words that name properties every plain object inherits: user input must never find them. */
const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

describe('prototype keys typed by a user', () => {
  it.each(PROTOTYPE_KEYS)('"%s" is no priority, no intent and no confirmation', (word) => {
    expect(parsePriority(word)).toBeUndefined();
    expect(parsePriority(`priority:${word}`)).toBeUndefined();
    expect(detectIntent(word)).toEqual({ intent: 'unknown' });
    expect(parseConfirmation(word)).toBeUndefined();
  });

  it('"constructor" at the priority step asks again instead of creating an order', async () => {
    const started: StartWorkflowInput[] = [];
    const machine = conversationMachine.provide({
      actors: {
        startWorkflow: fromPromise<void, StartWorkflowInput>(async ({ input }) => void started.push(input)),
        findEquipment: fromPromise<EquipmentSummary[], FindEquipmentInput>(async () => [excavator]),
      },
    });
    const actor = createActor(machine, {
      input: { conversationId: 'web:proto', workflowTimeoutMs: 60_000, now: 1_700_000_000_000 },
    });
    const texts: string[] = [];
    actor.on('reply', (e: ReplyEmitted) => texts.push(e.reply.text));
    actor.start();
    const say = async (text: string) => {
      texts.length = 0;
      actor.send({ type: 'user.message', text, at: Date.now() });
      await waitFor(actor as AnyActorRef, (s) => !s.hasTag('busy'));
      return texts.join('\n');
    };
    await say('reportar falla');
    await say('CAT-001');
    expect(await say('Pérdida de aceite hidráulico en el brazo')).toMatch(/prioridad/);
    for (const word of PROTOTYPE_KEYS) expect(await say(word)).toMatch(/No reconocí la prioridad/);
    expect(await say('alta')).toMatch(/Prioridad: Alta/);
    expect(await say('sí')).toMatch(/registrando la falla/);
    expect(started).toMatchObject([{ params: { prioridad: 'Alta' } }]);
  });

  it.each(PROTOTYPE_KEYS)('a failed run of a DAG named "%s" gets the plain Spanish error', (dagId) => {
    expect(renderWorkflowError(dagId, { code: 'x', message: '' }).text).toMatch(
      /^No pude completar tu solicitud: ocurrió un error en el proceso\./,
    );
  });
});
