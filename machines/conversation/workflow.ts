import { assign } from 'xstate';
import type { WorkflowResultEvent } from '../../core/runtime/model.ts';
import { renderWorkflowError, renderWorkflowResult, replies } from '../replies.ts';
import { conversationSetup, noticeSwitch, say, surely } from './setup.ts';
import type { ConversationContext } from './types.ts';

/** The pending run given up for a new link: once the user linked, the same action runs again as a new run. */
const relinkPending = ({ context }: { context: ConversationContext }): Partial<ConversationContext> => ({
  link: {
    reason: 'expired',
    resume: { kind: 'run', dagId: context.pending!.dagId, params: context.pending!.params },
  },
  pending: null,
});

/** Starts the pending workflow run and waits for its result, its timeout or the user's "cancelar". */
export const workflow = conversationSetup.createStateConfig({
  initial: 'starting',
  states: {
    starting: {
      tags: ['processing', 'busy'],
      entry: say(({ context }) => replies.processing(context.pending!.dagId, context.pending!.params)),
      invoke: {
        src: 'startWorkflow',
        input: ({ context }) => ({
          conversationId: context.conversationId,
          dagId: context.pending!.dagId,
          runId: context.pending!.runId,
          params: context.pending!.params,
        }),
        onDone: 'waiting',
        onError: [
          // A user-only run refused without a live link (it expired or went away since the message):
          // as the run's identity_expired, a new link, then the same action again.
          { guard: 'failedForIdentity', target: '#conversation.linking', actions: assign(relinkPending) },
          {
            target: '#conversation.idle',
            actions: [
              say(({ event }) => replies.workflowUnavailable((event as { error?: { reason?: string } }).error?.reason)),
              assign({ pending: null }),
            ],
          },
        ],
      },
    },
    waiting: {
      tags: ['processing'],
      after: {
        workflowTimeout: {
          target: '#conversation.idle',
          actions: [say(replies.timedOut), assign({ pending: null })],
        },
      },
      on: {
        'workflow.result': [
          // The CMMS refused the user's token (the runtime marked the link expired): a new link, then
          // the same action again as a new run.
          { guard: 'isIdentityExpired', target: '#conversation.linking', actions: assign(relinkPending) },
          {
            guard: ({ context, event }) => event.runId === context.pending?.runId && event.status === 'success',
            target: '#conversation.idle',
            actions: [
              'recordOwnChange',
              say(({ context, event }) =>
                renderWorkflowResult(context.pending!.dagId, (event as WorkflowResultEvent).result),
              ),
              assign({ pending: null, draft: {} }),
            ],
          },
          {
            guard: 'isPendingRun',
            target: '#conversation.idle',
            actions: [
              say(({ context, event }) =>
                renderWorkflowError(context.pending!.dagId, (event as WorkflowResultEvent).error),
              ),
              assign({ pending: null }),
            ],
          },
        ],
        'workflow.timeout': {
          guard: 'isPendingRun',
          target: '#conversation.idle',
          actions: [say(replies.timedOut), assign({ pending: null })],
        },
        'user.message': [
          {
            guard: surely('cancel'),
            target: '#conversation.idle',
            actions: [say(replies.stoppedWaiting), assign({ pending: null })],
          },
          ...noticeSwitch(),
          { actions: say(replies.stillProcessing) },
        ],
      },
    },
  },
});
