import type { IdentityPolicy, LinkedIdentity } from '../../core/identity/types.ts';
import type { ConversationEvent, UserMessageEvent } from '../../core/runtime/model.ts';
import type { DagId } from '../../workflows/catalog.ts';
import { reportedBy } from '../replies.ts';
import { liveIdentity } from '../roles.ts';
import type { ConversationContext, LinkRequest, Resume } from './types.ts';

/**
 * Who writes, as the conversation reads it from its events: the runtime puts the link on every user
 * message (`identity`, `identityPolicy`); `identity.linked` carries the new one. Nothing of it is
 * kept in the context except what a resumed request needs.
 */

/** The live identity an event carries (an expired link counts as none). */
export function identityOf(event: ConversationEvent): LinkedIdentity | null {
  if (event.type === 'identity.linked' || event.type === 'user.message') return liveIdentity(event.identity);
  return null;
}

/** `IDENTITY_REQUIRED` as the message was taken (absent: `none`). */
export function policyOf(event: ConversationEvent): IdentityPolicy {
  return event.type === 'user.message' ? (event.identityPolicy ?? 'none') : 'none';
}

/** The channel of the conversation: the message's, else the conversation id's prefix (`<channel>:<address>`). */
export function channelOf(context: ConversationContext, event?: ConversationEvent): string {
  return (event?.type === 'user.message' && event.channel) || context.conversationId.split(':')[0] || '';
}

/** The user's message, kept to be handled again once they have linked. */
export function resumeOf(context: ConversationContext, event: ConversationEvent): Resume {
  const message = event as UserMessageEvent;
  return {
    kind: 'message',
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.action !== undefined ? { action: message.action } : {}),
    policy: policyOf(event),
    channel: channelOf(context, event),
    ...(message.understood ? { understood: message.understood } : {}),
  };
}

/**
 * A lookup made with the user's token failed because the CMMS no longer accepts it (the runtime
 * marked the link expired): the request to go on with after linking again, as the command the user
 * would write ("completar OT-CORR-1").
 */
export function relinkFor(context: ConversationContext, command: string): LinkRequest {
  return { reason: 'expired', resume: { kind: 'message', text: command, channel: channelOf(context) } };
}

/** The kept message as if the user wrote it again now, linked as `identity`. */
export function resumedMessage(
  kept: Extract<Resume, { kind: 'message' }>,
  identity: LinkedIdentity | null,
  at: number,
): UserMessageEvent {
  return {
    type: 'user.message',
    ...(kept.text !== undefined ? { text: kept.text } : {}),
    ...(kept.action !== undefined ? { action: kept.action } : {}),
    at,
    ...(kept.channel ? { channel: kept.channel } : {}),
    identity,
    ...(kept.policy ? { identityPolicy: kept.policy } : {}),
    ...(kept.understood ? { understood: kept.understood } : {}),
  };
}

/** `reportado_por` of a failure report: the linked name, else the channel's display name. */
export function reporterOf(context: ConversationContext, event: ConversationEvent): string {
  const name = identityOf(event)?.fullName ?? (event.type === 'user.message' ? event.userName : undefined);
  return reportedBy(name, channelOf(context, event));
}

/** A run's parameters for `identity`: who acts (`idusuario`) and who reported (`reportado_por`). */
export function withIdentity(
  context: ConversationContext,
  event: ConversationEvent,
  dagId: DagId,
  params: Record<string, unknown>,
  identity: LinkedIdentity,
): Record<string, unknown> {
  const next = { ...params };
  if ('idusuario' in next) next.idusuario = identity.cmmsUserId;
  if (dagId === 'reportar_falla') next.reportado_por = reportedBy(identity.fullName, channelOf(context, event));
  return next;
}
