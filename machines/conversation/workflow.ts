import { assign } from 'xstate';
import type { WorkflowResultEvent } from '../../core/runtime/model.ts';
import { renderWorkflowError, renderWorkflowResult, replies } from '../replies.ts';
import { conversationSetup, is, say } from './setup.ts';

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
        onError: {
          target: '#conversation.idle',
          actions: [
            say(({ event }) => replies.workflowUnavailable((event as { error?: { reason?: string } }).error?.reason)),
            assign({ pending: null }),
          ],
        },
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
          {
            guard: 'isIdentityExpired',
            target: '#conversation.linking',
            actions: assign(({ context }) => ({
              link: {
                reason: 'expired' as const,
                resume: { kind: 'run' as const, dagId: context.pending!.dagId, params: context.pending!.params },
              },
              pending: null,
            })),
          },
          {
            guard: ({ context, event }) => event.runId === context.pending?.runId && event.status === 'success',
            target: '#conversation.idle',
            actions: [
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
            guard: is('cancel'),
            target: '#conversation.idle',
            actions: [say(replies.stoppedWaiting), assign({ pending: null })],
          },
          { actions: say(replies.stillProcessing) },
        ],
      },
    },
  },
});
