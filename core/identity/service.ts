import { randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { RedisClient } from '../redis-connection.ts';
import { groupPrefix } from '../redis-keys.ts';
import type { CmmsLogin } from './cmms-login.ts';
import { LinkNotAllowedError } from './errors.ts';
import { createMemoryIdentityStore } from './memory-store.ts';
import { createRedisIdentityStore } from './redis-store.ts';
import { createTokenSealer } from './seal.ts';
import type { IdentityStore, TryKind } from './store.ts';
import { tryAddressOf } from './try-address.ts';
import type { IdentityPolicy, IdentityRecord, IdentityService, LinkCode, LinkedIdentity } from './types.ts';

/** A link code is valid this long. */
export const LINK_TTL_MS = 10 * 60_000;
/** Tries per code and per client address within `TRY_WINDOW_MS`. */
export const MAX_TRIES = 5;
export const TRY_WINDOW_MS = 10 * 60_000;
/** 24 random bytes, base64url: 32 characters. */
const CODE_BYTES = 24;
const CODE_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;
const MAX_CONVERSATION_ID = 512;

export interface IdentityServiceOptions {
  /**
   * Redis (shared by every process); in memory without it. On a cluster (`cluster`) every identity
   * key carries one hash tag (`<prefix>{identity}identity:…`): its transactions span several keys.
   */
  redis?: { client: RedisClient; keyPrefix: string; cluster?: boolean };
  /** `IDENTITY_KEY` (16 characters or more); a random key of this process when absent. */
  key?: string;
  /** `PUBLIC_URL`: links are `{publicUrl}/link/<code>`. */
  publicUrl: string;
  policy: IdentityPolicy;
  login: CmmsLogin;
  logger: Logger;
  /**
   * Whether a conversation's sender is authenticated, so that its link may act for a person. A link
   * is only as safe as the conversation id: whoever can write as that id acts as the linked user. So
   * an untrusted conversation never has an identity and cannot link: `lookup` and `tokenFor` answer
   * null (a link stored before is ignored, not shown to anyone writing there), `issueLink` and
   * `linkWithPassword` throw `LinkNotAllowedError` (403 `link_not_allowed`), and its codes are dead.
   * The gateway trusts every conversation but the open REST web ones (`web:<user_id>` while
   * WEB_API_KEY is unset: anyone may post any user_id); see `plugins/web/trust.ts`. Default: all.
   */
  trusts?: (conversationId: string) => boolean;
  now?: () => number;
}

/** A try on a code: allowed (how many remain after it), or refused until `retryAfterMs`. */
export type TryOutcome = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

/** The identity service, plus what the link page needs. */
export interface IdentityServiceImpl extends IdentityService {
  /**
   * The live code (for the page), not consumed. Null for an unknown, used, expired or malformed code,
   * and for a code of a conversation that is not trusted (`trusts`).
   */
  peekCode(code: string): Promise<LinkCode | null>;
  /**
   * Counts a try on the code from a client address (at most `MAX_TRIES` each per window; an IPv6
   * address counts for its whole /64).
   */
  countTry(code: string, address: string): Promise<TryOutcome>;
  /** Gives a try back: the address's one after a success, both after a CMMS outage. */
  refundTry(code: string, address: string, which: { code: boolean; address: boolean }): Promise<void>;
  /**
   * Logs in and, once the CMMS accepted the credentials, consumes the code and stores the link. Null
   * when the code was used or expired meanwhile (nothing stored). Throws `LinkRefusedError`, `UpstreamError`.
   */
  linkWithCode(
    code: string,
    username: string,
    password: string,
  ): Promise<{ conversationId: string; identity: LinkedIdentity } | null>;
}

export function isLinkCode(code: string): boolean {
  return CODE_PATTERN.test(code);
}

/** A conversation id an admin may name: `<channel>:<address>`, bounded. */
export function checkConversationId(conversationId: unknown, field = 'conversation_id'): string {
  if (typeof conversationId !== 'string' || !conversationId.trim()) throw new ValidationError(`${field} is required`);
  if (conversationId.length > MAX_CONVERSATION_ID) {
    throw new ValidationError(`${field} exceeds ${MAX_CONVERSATION_ID} characters`);
  }
  if (!/^[a-z0-9_-]+:./i.test(conversationId)) throw new ValidationError(`${field} must look like <channel>:<address>`);
  return conversationId;
}

/** What the conversation and admins see of a record: never the sealed token. */
export function identityOf(record: IdentityRecord, expired = record.expired === true): LinkedIdentity {
  return {
    cmmsUserId: record.cmmsUserId,
    username: record.username,
    fullName: record.fullName,
    role: record.role,
    linkedAt: record.linkedAt,
    ...(expired ? { expired: true } : {}),
  };
}

export function createIdentityService(opts: IdentityServiceOptions): IdentityServiceImpl {
  const now = opts.now ?? Date.now;
  const logger = opts.logger;
  const sealer = createTokenSealer(opts.key, logger);
  const store: IdentityStore = opts.redis
    ? createRedisIdentityStore(
        opts.redis.client,
        groupPrefix(opts.redis.keyPrefix, 'identity', opts.redis.cluster ?? false),
        now,
      )
    : createMemoryIdentityStore(now);
  const publicUrl = opts.publicUrl.replace(/\/+$/, '');
  const trusts = opts.trusts ?? (() => true);
  const refuseUntrusted = (conversationId: string) => {
    if (trusts(conversationId)) return;
    logger.info({ conversationId }, 'link refused: the conversation’s sender is not authenticated');
    throw new LinkNotAllowedError();
  };
  /** A token this key cannot open (another key, a restart without IDENTITY_KEY) reads as expired. */
  const tokenOf = (record: IdentityRecord) => sealer.open(record.sealedToken, record.conversationId);

  const refundTry: IdentityServiceImpl['refundTry'] = async (code, address, which) => {
    const refunds: Array<[TryKind, string]> = [];
    if (which.code) refunds.push(['code', code]);
    if (which.address) refunds.push(['addr', tryAddressOf(address)]);
    await Promise.all(refunds.map(([kind, id]) => store.refundTry(kind, id)));
  };

  const peekCode: IdentityServiceImpl['peekCode'] = async (code) => {
    const found = isLinkCode(code) ? await store.peekCode(code) : null;
    return found && trusts(found.conversationId) ? found : null;
  };

  async function storeLink(conversationId: string, login: Awaited<ReturnType<CmmsLogin>>): Promise<LinkedIdentity> {
    const record: IdentityRecord = {
      conversationId,
      cmmsUserId: login.cmmsUserId,
      username: login.username,
      fullName: login.fullName,
      role: login.role,
      linkedAt: new Date(now()).toISOString(),
      sealedToken: sealer.seal(login.token, conversationId),
    };
    await store.put(record);
    // Any other link this chat was sent stops working: it would link the chat again, maybe as someone else.
    await store.voidCodes(conversationId);
    logger.info({ conversationId, cmmsUserId: record.cmmsUserId }, 'CMMS account linked');
    return identityOf(record);
  }

  return {
    policy: opts.policy,

    policyFor(conversationId) {
      return opts.policy === 'report' && !trusts(conversationId) ? 'none' : opts.policy;
    },

    async lookup(conversationId) {
      if (!trusts(conversationId)) return null;
      const record = await store.get(conversationId);
      return record ? identityOf(record, record.expired === true || tokenOf(record) === null) : null;
    },

    async issueLink(conversationId) {
      checkConversationId(conversationId, 'conversationId');
      refuseUntrusted(conversationId);
      const code: LinkCode = {
        code: randomBytes(CODE_BYTES).toString('base64url'),
        conversationId,
        expiresAt: now() + LINK_TTL_MS,
      };
      await store.putCode(code);
      logger.info({ conversationId }, 'link issued');
      return { url: `${publicUrl}/link/${code.code}`, expiresAt: code.expiresAt };
    },

    async tokenFor(conversationId, cmmsUserId) {
      if (!trusts(conversationId)) return null;
      const record = await store.get(conversationId);
      if (!record || record.expired) return null;
      // A run started for one user never gets another's token (the conversation linked again meanwhile).
      if (cmmsUserId !== undefined && record.cmmsUserId !== cmmsUserId) return null;
      return tokenOf(record);
    },

    async linkWithPassword(conversationId, username, password) {
      checkConversationId(conversationId, 'conversationId');
      refuseUntrusted(conversationId);
      return storeLink(conversationId, await opts.login(username, password));
    },

    async markExpired(conversationId, linkedBefore) {
      // Compare-and-set: an unlink, erase or new link made meanwhile is never undone.
      const record = await store.markExpired(conversationId, linkedBefore);
      if (!record) return;
      logger.info({ conversationId, cmmsUserId: record.cmmsUserId }, 'CMMS link expired');
    },

    async unlink(conversationId) {
      const removed = await store.remove(conversationId);
      await store.voidCodes(conversationId);
      if (removed) logger.info({ conversationId, cmmsUserId: removed.cmmsUserId }, 'CMMS account unlinked');
      return removed !== null;
    },

    async list() {
      const records = await store.list();
      return records
        .map((record) => ({
          conversationId: record.conversationId,
          ...identityOf(record, record.expired === true || tokenOf(record) === null),
        }))
        .sort((a, b) => b.linkedAt.localeCompare(a.linkedAt) || a.conversationId.localeCompare(b.conversationId));
    },

    conversationsOf: (cmmsUserId) => store.conversationsOf(cmmsUserId),

    peekCode,

    async countTry(code, address) {
      const counts = await Promise.all([
        store.countTry('code', code, TRY_WINDOW_MS),
        store.countTry('addr', tryAddressOf(address), TRY_WINDOW_MS),
      ]);
      const [forCode, forAddress] = counts;
      const over = counts.filter((count) => count.count > MAX_TRIES);
      if (over.length) {
        // A refused try reached no CMMS: the counter still under its limit gets it back.
        await refundTry(code, address, {
          code: forCode!.count <= MAX_TRIES,
          address: forAddress!.count <= MAX_TRIES,
        });
        return { allowed: false, retryAfterMs: Math.max(...over.map((count) => count.resetInMs)) };
      }
      return { allowed: true, remaining: MAX_TRIES - Math.max(...counts.map((count) => count.count)) };
    },

    refundTry,

    async linkWithCode(code, username, password) {
      // A code of a conversation no longer trusted (WEB_API_KEY removed since) is dead: no CMMS call.
      if (!(await peekCode(code))) return null;
      const login = await opts.login(username, password);
      // Only now is the code used up: a wrong password leaves it for the next try.
      const taken = await store.takeCode(code);
      if (!taken) return null;
      return { conversationId: taken.conversationId, identity: await storeLink(taken.conversationId, login) };
    },
  };
}
