import { assign, emit, fromPromise, setup } from 'xstate';
import type {
  ConversationEvent,
  ConversationInput,
  ConversationModel,
  PendingRun,
  UserMessageEvent,
} from '../../core/runtime/model.ts';

/**
 * A small machine that uses every runtime service about who writes, so the runtime's side is tested
 * on its own (the real conversation is tested in machines/). It answers:
 * - "quién soy": who the runtime said sent the message (`identity`, `identityPolicy`, `userName`);
 * - "vincular": a link (`issueLink`); "desvincular": `unlinkIdentity`;
 * - "ot <n>": `findWorkOrder`; "técnicos <q>": `findTechnicians` (failures: "error: <code>");
 * - "reportar": starts `reportar_falla` (`startWorkflow`) and waits for its result;
 * - "mis ot": starts the user-only `listar_mis_ot` the same way (a refused start: "error: <code>");
 * - "borrar": confirms and tags the conversation `forget`;
 * - `identity.linked` / `identity.unlinked`: tells the user.
 */
interface Context {
  conversationId: string;
  pending: PendingRun | null;
  workflowTimeoutMs: number;
}

const said = (event: ConversationEvent) => (event.type === 'user.message' ? (event.text ?? '') : '');
const reply = (text: string) => ({ type: 'reply' as const, reply: { text } });
const argument = (event: ConversationEvent) => said(event).split(' ').slice(1).join(' ');

const machine = setup({
  types: {
    context: {} as Context,
    events: {} as ConversationEvent,
    input: {} as ConversationInput,
  },
  actors: {
    startWorkflow: fromPromise<void, { conversationId: string; dagId: string; runId: string; params: object }>(
      async () => {},
    ),
    issueLink: fromPromise<{ url: string; expiresAt: number }, { conversationId: string }>(async () => ({
      url: '',
      expiresAt: 0,
    })),
    unlinkIdentity: fromPromise<boolean, { conversationId: string }>(async () => false),
    findWorkOrder: fromPromise<{ numeroot: string } | null, { conversationId: string; numeroot: string }>(
      async () => null,
    ),
    findTechnicians: fromPromise<{ fullName: string }[], { conversationId: string; query: string }>(async () => []),
  },
  guards: {
    says: ({ event }, word: string) => said(event) === word || said(event).startsWith(`${word} `),
  },
}).createMachine({
  id: 'identity-test',
  context: ({ input }) => ({
    conversationId: input.conversationId,
    pending: null,
    workflowTimeoutMs: input.workflowTimeoutMs,
  }),
  initial: 'idle',
  on: {
    'identity.linked': {
      actions: emit(({ event }) =>
        reply(event.type === 'identity.linked' ? `Listo, ${event.identity.fullName} (${event.identity.role}).` : ''),
      ),
    },
    'identity.unlinked': { actions: emit(reply('Desvinculé tu cuenta.')) },
  },
  states: {
    idle: {
      on: {
        'user.message': [
          {
            guard: { type: 'says', params: 'quién soy' },
            actions: emit(({ event }) => {
              const { identity, identityPolicy, userName } = event as UserMessageEvent;
              return reply(`${identity?.fullName ?? 'anónimo'} · ${identityPolicy ?? '-'} · ${userName ?? '-'}`);
            }),
          },
          { guard: { type: 'says', params: 'vincular' }, target: 'linking' },
          { guard: { type: 'says', params: 'desvincular' }, target: 'unlinking' },
          { guard: { type: 'says', params: 'ot' }, target: 'order' },
          { guard: { type: 'says', params: 'técnicos' }, target: 'technicians' },
          { guard: { type: 'says', params: 'reportar' }, target: 'starting' },
          { guard: { type: 'says', params: 'mis ot' }, target: 'startingMine' },
          { guard: { type: 'says', params: 'borrar' }, target: 'forgotten' },
          { actions: emit(({ event }) => reply(`eco: ${said(event)}`)) },
        ],
      },
    },
    linking: {
      tags: ['busy'],
      invoke: {
        src: 'issueLink',
        input: ({ context }) => ({ conversationId: context.conversationId }),
        onDone: { target: 'idle', actions: emit(({ event }) => reply(`Abre ${event.output.url}`)) },
        onError: {
          target: 'idle',
          actions: emit(({ event }) => reply(`error: ${(event.error as { code?: string }).code}`)),
        },
      },
    },
    unlinking: {
      tags: ['busy'],
      invoke: {
        src: 'unlinkIdentity',
        input: ({ context }) => ({ conversationId: context.conversationId }),
        onDone: { target: 'idle', actions: emit(({ event }) => reply(event.output ? 'desvinculado' : 'no había')) },
      },
    },
    order: {
      tags: ['busy'],
      invoke: {
        src: 'findWorkOrder',
        input: ({ context, event }) => ({ conversationId: context.conversationId, numeroot: argument(event) }),
        onDone: {
          target: 'idle',
          actions: emit(({ event }) => reply(`orden: ${event.output?.numeroot ?? 'ninguna'}`)),
        },
        onError: {
          target: 'idle',
          actions: emit(({ event }) => reply(`error: ${(event.error as { code?: string }).code}`)),
        },
      },
    },
    technicians: {
      tags: ['busy'],
      invoke: {
        src: 'findTechnicians',
        input: ({ context, event }) => ({ conversationId: context.conversationId, query: argument(event) }),
        onDone: {
          target: 'idle',
          actions: emit(({ event }) => reply(`técnicos: ${event.output.map((u) => u.fullName).join(', ')}`)),
        },
        onError: {
          target: 'idle',
          actions: emit(({ event }) => reply(`error: ${(event.error as { code?: string }).code}`)),
        },
      },
    },
    starting: {
      tags: ['busy'],
      entry: assign({
        pending: ({ context, event }) => ({
          dagId: 'reportar_falla',
          runId: `reportar_falla:${context.conversationId}:${event.at}`,
          params: { codigo_equipo: 'CAT-001', descripcion: 'Fuga de aceite', prioridad: 'Alta' },
          startedAt: event.at,
          deadline: event.at + context.workflowTimeoutMs,
        }),
      }),
      invoke: {
        src: 'startWorkflow',
        input: ({ context }) => ({ conversationId: context.conversationId, ...context.pending! }),
        onDone: { target: 'waiting', actions: emit(reply('Procesando…')) },
      },
    },
    startingMine: {
      tags: ['busy'],
      entry: assign({
        pending: ({ context, event }) => ({
          dagId: 'listar_mis_ot',
          runId: `listar_mis_ot:${context.conversationId}:${event.at}`,
          params: { idusuario: 10, filtro: 'mias' },
          startedAt: event.at,
          deadline: event.at + context.workflowTimeoutMs,
        }),
      }),
      invoke: {
        src: 'startWorkflow',
        input: ({ context }) => ({ conversationId: context.conversationId, ...context.pending! }),
        onDone: { target: 'waiting', actions: emit(reply('Procesando…')) },
        onError: {
          target: 'idle',
          actions: [
            emit(({ event }) => reply(`error: ${(event.error as { code?: string }).code}`)),
            assign({ pending: null }),
          ],
        },
      },
    },
    waiting: {
      on: {
        'workflow.result': {
          guard: ({ context, event }) => context.pending?.runId === event.runId,
          target: 'idle',
          actions: [
            emit(({ event }) =>
              reply(event.status === 'success' ? 'resultado: listo' : `resultado: ${event.error?.code ?? 'error'}`),
            ),
            assign({ pending: null }),
          ],
        },
      },
    },
    forgotten: {
      tags: ['forget'],
      entry: emit(reply('Borré tus datos.')),
      on: { 'user.message': { target: 'idle', actions: emit(reply('¿De nuevo aquí?')) } },
    },
  },
});

export const identityTestModel: ConversationModel = {
  machine,
  version: 1,
  stateName: (value) => String(value),
  statusOf: () => 'idle',
  intentLabel: () => '',
  waitingOf: (persisted) => ({
    pending: (persisted as { context?: Context } | undefined)?.context?.pending ?? null,
    handoff: null,
  }),
  conversationRestarted: () => ({ text: 'de nuevo' }),
};
