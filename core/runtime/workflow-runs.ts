import { foldText } from '../../lib/fold-text.ts';
import { isDagId, requiresUser } from '../../workflows/catalog.ts';
import { IdentityExpiredError } from '../identity/errors.ts';
import type { EquipmentSummary } from '../workflows/results.ts';
import type { WorkflowCallback, WorkflowConf } from '../workflows/types.ts';
import { liveIdentity } from './identity.ts';
import type { ConversationEvent, ConversationServices, PendingRun, StartWorkflowInput } from './model.ts';
import type { RuntimeCmms, RuntimeSettings } from './options.ts';
import { userServices } from './user-services.ts';

/**
 * Starts (or, with the same run id, resumes) a workflow run that calls back to this process. A
 * conversation with a live link runs as its user: `acting_as` names them and `credentials_url` is
 * where a DAG fetches their token (the in-process runner asks the identity service); never the token.
 * A user-only workflow (`requiresUser`: mis OT, iniciar/completar/asignar…) is refused without a
 * live link (`IdentityExpiredError`, `identity_expired`): the link may have expired or gone since the
 * machine looked, and such a run must never go through the service account.
 */
async function triggerRun(settings: RuntimeSettings, run: StartWorkflowInput): Promise<void> {
  const linked = await liveIdentity(settings.identity, run.conversationId);
  if (!linked && isDagId(run.dagId) && requiresUser(run.dagId)) {
    settings.logger.info(
      { conversationId: run.conversationId, runId: run.runId, dagId: run.dagId },
      'user-only workflow refused: no live link',
    );
    throw new IdentityExpiredError(`${run.dagId} runs only as a linked user, and the conversation has no live link`);
  }
  const conf: WorkflowConf = {
    conversation_id: run.conversationId,
    run_id: run.runId,
    callback_url: settings.callbackUrl,
    params: run.params,
    ...(linked
      ? {
          acting_as: { cmms_user_id: linked.cmmsUserId, username: linked.username },
          credentials_url: settings.credentialsUrl,
        }
      : {}),
  };
  return settings.runner.trigger(run.dagId, run.runId, conf);
}

/** The machine's invoked actors: the workflow runner, the CMMS lookups, the identity link. */
export function conversationServices(settings: RuntimeSettings): ConversationServices {
  return {
    startWorkflow: (input) => triggerRun(settings, input),
    findEquipment: (input) =>
      input.codes?.length ? equipmentByCodes(settings.cmms, input.codes) : settings.cmms.findEquipment(input.query),
    ...userServices(settings),
  };
}

/**
 * The CMMS's equipment with exactly these internal codes, in the codes' order (the catalog the
 * message was understood with may be older: a code the CMMS no longer has is left out).
 */
async function equipmentByCodes(cmms: RuntimeCmms, codes: readonly string[]): Promise<EquipmentSummary[]> {
  const found: EquipmentSummary[] = [];
  for (const code of new Set(codes)) {
    // An exact code is what the CMMS's lookup answers first (its short cache serves the next codes).
    const matches = await cmms.findEquipment(code);
    for (const equipment of matches) {
      const same = foldText(equipment.codigointerno ?? '') === foldText(code);
      if (same && !found.some((e) => e.idequipo === equipment.idequipo)) found.push(equipment);
    }
  }
  return found;
}

/**
 * The run's process died before it ended: the same run id is started again here (the workflow
 * gives the first attempt's outcome) and calls back to this process.
 */
export async function resumeRun(settings: RuntimeSettings, conversationId: string, pending: PendingRun) {
  settings.logger.warn(
    { conversationId, runId: pending.runId, dagId: pending.dagId },
    'workflow run lost; resuming it',
  );
  await triggerRun(settings, { conversationId, dagId: pending.dagId, runId: pending.runId, params: pending.params });
}

/** A workflow's callback as the machine's event. */
export function workflowResultEvent(callback: WorkflowCallback, at: number): ConversationEvent {
  return {
    type: 'workflow.result',
    runId: callback.run_id,
    dagId: callback.dag_id,
    status: callback.status,
    ...(callback.result !== undefined ? { result: callback.result } : {}),
    ...(callback.error ? { error: callback.error } : {}),
    at,
  };
}
