import { OmnibotError } from '../errors.ts';
import type { IdentityService, LinkedIdentity } from '../identity/types.ts';

/** Linking asked of a gateway without an identity service. */
export class IdentityOffError extends OmnibotError {
  constructor() {
    super('identity_off', 'account linking is not available: the runtime has no identity service', 503);
  }
}

/** The runtime without an identity service: nobody is linked, policy `none`; linking fails clearly. */
export function withoutIdentity(): IdentityService {
  const off = async (): Promise<never> => {
    throw new IdentityOffError();
  };
  return {
    policy: 'none',
    lookup: async () => null,
    tokenFor: async () => null,
    issueLink: off,
    linkWithPassword: off,
    markExpired: async () => {},
    unlink: async () => false,
    list: async () => [],
    conversationsOf: async () => [],
  };
}

/**
 * What an event may carry of a link: the fields of `LinkedIdentity` and nothing else (a stored
 * record handed over as is would bring its sealed token into the event log).
 */
export function publicIdentity(identity: LinkedIdentity): LinkedIdentity {
  const { cmmsUserId, username, fullName, role, linkedAt, expired } = identity;
  return { cmmsUserId, username, fullName, role, linkedAt, ...(expired ? { expired: true } : {}) };
}

/** The conversation's link when it is live (not expired), without its token. */
export async function liveIdentity(identity: IdentityService, conversationId: string): Promise<LinkedIdentity | null> {
  const linked = await identity.lookup(conversationId);
  return linked && !linked.expired ? publicIdentity(linked) : null;
}
