import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { PayloadTooLargeError, retryAfterSeconds, UpstreamError } from '../errors.ts';
import { parseForm, readRawBytes } from '../http/read-json.ts';
import { addressOfContext } from '../limits/client-address.ts';
import type { Logger } from '../log.ts';
import type { ConversationRuntimeImpl } from '../runtime/options.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import { chatOf } from './chat-label.ts';
import { LinkRefusedError } from './errors.ts';
import { formPage, messagePage, PAGE_TITLE, pageText } from './link-page.ts';
import type { IdentityServiceImpl } from './service.ts';
import type { LinkedIdentity } from './types.ts';

export interface LinkRouteDeps {
  identity: Pick<IdentityServiceImpl, 'peekCode' | 'countTry' | 'refundTry' | 'linkWithCode' | 'conversationsOf'>;
  runtime: Pick<ConversationRuntime, 'identityLinked' | 'track'> & Pick<ConversationRuntimeImpl, 'notify'>;
  maxBodyBytes: number;
  trustedProxyHops: number;
  logger: Logger;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';
/** When the CMMS did not say how long to wait. */
const UNAVAILABLE_RETRY_MS = 5_000;

/**
 * `GET /link/:code`: the form to link the conversation's user to their CMMS account; `POST` (the
 * form) logs in to the CMMS and stores the link; the code is used up only by a login that works.
 * At most `MAX_TRIES` tries per code and per client address. Every answer is an HTML page with a
 * strict CSP (a nonce for its one style), no caching and no referrer (the code is in the URL).
 */
export function mountLinkRoutes(app: Hono, deps: LinkRouteDeps): void {
  const logger = deps.logger.child({ component: 'link-page' });

  app.get('/link/:code', async (c) => {
    const code = await deps.identity.peekCode(c.req.param('code'));
    if (!code) return page(c, 404, (nonce) => messagePage(nonce, PAGE_TITLE, pageText.expired));
    return page(c, 200, (nonce) => formPage({ nonce, conversationId: code.conversationId }));
  });

  app.post('/link/:code', async (c) => {
    const codeText = c.req.param('code');
    const code = await deps.identity.peekCode(codeText);
    if (!code) return page(c, 404, (nonce) => messagePage(nonce, PAGE_TITLE, pageText.expired));
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== FORM_TYPE) return page(c, 415, (nonce) => messagePage(nonce, PAGE_TITLE, pageText.unsupported));
    let raw: Buffer;
    try {
      raw = await readRawBytes(c, deps.maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        return page(c, 413, (nonce) => messagePage(nonce, PAGE_TITLE, pageText.tooLarge));
      }
      throw error;
    }
    const form = parseForm(raw);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const { conversationId } = code;
    const again = (status: 400 | 401, error: string) =>
      page(c, status, (nonce) => formPage({ nonce, conversationId, username, error }));
    if (!username || !password) return again(400, pageText.missingFields);

    const address = addressOfContext(c, deps.trustedProxyHops) ?? 'unknown';
    const attempt = await deps.identity.countTry(codeText, address);
    if (!attempt.allowed) {
      const minutes = Math.max(1, Math.ceil(attempt.retryAfterMs / 60_000));
      c.header('retry-after', String(retryAfterSeconds(attempt.retryAfterMs)));
      logger.info({ conversationId }, 'link page: too many tries');
      return page(c, 429, (nonce) => messagePage(nonce, 'Demasiados intentos', pageText.tooMany(minutes)));
    }
    try {
      const linked = await deps.identity.linkWithCode(codeText, username, password);
      // Used or expired meanwhile (another tab won the race): no password was guessed, the address's try comes back.
      await deps.identity.refundTry(codeText, address, { code: false, address: true });
      if (!linked) return page(c, 404, (nonce) => messagePage(nonce, PAGE_TITLE, pageText.expired));
      notify(deps, logger, linked.conversationId, linked.identity);
      tellOtherChats(deps, logger, linked.conversationId, linked.identity);
      const { fullName, role } = linked.identity;
      return page(c, 200, (nonce) => messagePage(nonce, 'Cuenta vinculada', pageText.linked(fullName, role), 'ok'));
    } catch (error) {
      if (error instanceof LinkRefusedError) {
        logger.info({ conversationId }, 'link page: the CMMS refused the credentials');
        return again(401, pageText.refused(attempt.remaining));
      }
      if (error instanceof UpstreamError) {
        // Not the user's fault: the try is given back.
        await deps.identity.refundTry(codeText, address, { code: true, address: true });
        logger.warn({ conversationId, err: error }, 'link page: CMMS login unavailable');
        c.header('retry-after', String(retryAfterSeconds(error.retryAfterMs ?? UNAVAILABLE_RETRY_MS)));
        return page(c, 503, (nonce) => messagePage(nonce, 'El CMMS no responde', pageText.unavailable));
      }
      throw error;
    }
  });
}

/** The conversation is told on its channel; an unknown conversation (409) is only logged. */
function notify(deps: LinkRouteDeps, logger: Logger, conversationId: string, identity: LinkedIdentity): void {
  deps.runtime.track(
    deps.runtime.identityLinked(conversationId, identity).catch((error: unknown) => {
      logger.warn({ conversationId, err: error }, 'link page: the conversation could not be told about its link');
    }),
  );
}

/** What the CMMS user's other linked chats are told: `chat` is the one just linked ("un chat de WhatsApp terminado en …4567"). */
export const linkedElsewhereNotice = (chat: string) =>
  `Tu cuenta del CMMS se vinculó también ${chat.startsWith('el ') ? `al ${chat.slice(3)}` : `a ${chat}`}. Si no fuiste tú, avisa de inmediato a un administrador del CMMS.`;

/**
 * The CMMS user's other linked chats are told which chat was just linked to their account (a
 * phished link shows up where the real person reads). Best effort: a failure is only logged.
 */
function tellOtherChats(deps: LinkRouteDeps, logger: Logger, conversationId: string, identity: LinkedIdentity): void {
  const text = linkedElsewhereNotice(chatOf(conversationId).other);
  const work = async () => {
    const others = (await deps.identity.conversationsOf(identity.cmmsUserId)).filter((id) => id !== conversationId);
    for (const other of others) {
      await deps.runtime.notify(other, text).catch((error: unknown) => {
        logger.warn({ conversationId: other, err: error }, 'link page: another chat of the user could not be told');
      });
    }
  };
  deps.runtime.track(
    work().catch((error: unknown) => {
      logger.warn({ conversationId, err: error }, 'link page: the user’s other chats could not be listed');
    }),
  );
}

/** An HTML answer with the link page's headers and a fresh nonce for its style. */
function page(c: Context, status: 200 | 400 | 401 | 404 | 413 | 415 | 429 | 503, render: (nonce: string) => string) {
  const nonce = randomBytes(16).toString('base64');
  return c.html(render(nonce), status, {
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-robots-tag': 'noindex, nofollow',
  });
}
