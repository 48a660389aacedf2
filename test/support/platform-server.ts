import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback fake of the platforms' send APIs, for tests: the WhatsApp Graph API under
 * `/whatsapp/v23.0/{phone-number-id}/messages` and the Telegram Bot API under `/telegram/bot{token}/{method}`.
 * It records every request, checks the credentials, and answers scripted failures (429 with a
 * retry-after, 500) before the default success.
 */

export type Platform = 'whatsapp' | 'telegram';

export interface RecordedRequest {
  platform: Platform;
  /** `messages` for WhatsApp; the Bot API method for Telegram (`sendMessage`, `answerCallbackQuery`, …). */
  operation: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  status: number;
  /** The JSON the fake answered (WhatsApp's `messages[0].id`, Telegram's `result.message_id`). */
  response: unknown;
  /** Epoch ms. */
  at: number;
}

/** A message as the user would see it, whichever platform carried it. */
export interface SentMessage {
  platform: Platform;
  /** WhatsApp `to` / Telegram `chat_id`. */
  address: string;
  text: string;
  buttons: { id: string; title: string }[];
  /** `text`, `button` (reply buttons), `list`, or `keyboard` (Telegram inline keyboard). */
  form: string;
  request: RecordedRequest;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface PlatformServerOptions {
  whatsappToken?: string;
  whatsappPhoneNumberId?: string;
  telegramToken?: string;
}

export interface PlatformServer {
  url: string;
  /** Value for `WHATSAPP_API_URL`. */
  whatsappApiUrl: string;
  /** Value for `TELEGRAM_API_URL`. */
  telegramApiUrl: string;
  readonly requests: RecordedRequest[];
  /** The next requests of `platform` (optionally only `operation`) get these answers, in order. */
  script(platform: Platform, responses: ScriptedResponse[], operation?: string): void;
  rateLimitNext(platform: Platform, retryAfterSeconds: number): void;
  /** The next `times` sends fail with `status`, after `after` sends that succeed. */
  failNext(platform: Platform, status?: number, times?: number, after?: number): void;
  /** Messages accepted (2xx) by the platform, oldest first. */
  sent(platform?: Platform, address?: string): SentMessage[];
  /** Resolves once `predicate` holds for the recorded requests; rejects after `timeoutMs` listing what arrived. */
  waitFor<T>(predicate: () => T | undefined | false | null, timeoutMs?: number, what?: string): Promise<T>;
  /** Resolves with the first accepted message to `address` after the first `skip` ones that matches `match`. */
  waitForMessage(
    platform: Platform,
    address: string,
    match: (message: SentMessage) => boolean,
    opts?: { after?: number; timeoutMs?: number },
  ): Promise<SentMessage>;
  reset(): void;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are free-form JSON read by tests
type Loose = any;

const WHATSAPP_PATH = /^\/whatsapp\/v[\d.]+\/([^/]+)\/messages$/;
const TELEGRAM_PATH = /^\/telegram\/bot([^/]+)\/([A-Za-z]+)$/;

/** A scripted entry that lets the request through to the default success. */
const PASS = 0;

function normalize(request: RecordedRequest): SentMessage | null {
  const body = request.body as Loose;
  if (request.platform === 'whatsapp') {
    const address = String(body.to);
    if (body.type === 'text')
      return { platform: 'whatsapp', address, text: body.text?.body ?? '', buttons: [], form: 'text', request };
    if (body.type === 'interactive' && body.interactive?.type === 'button') {
      const buttons = (body.interactive.action?.buttons ?? []).map((b: Loose) => ({
        id: b.reply.id,
        title: b.reply.title,
      }));
      return {
        platform: 'whatsapp',
        address,
        text: body.interactive.body?.text ?? '',
        buttons,
        form: 'button',
        request,
      };
    }
    if (body.type === 'interactive' && body.interactive?.type === 'list') {
      const rows = (body.interactive.action?.sections ?? []).flatMap((s: Loose) => s.rows ?? []);
      const buttons = rows.map((r: Loose) => ({ id: r.id, title: r.title }));
      return { platform: 'whatsapp', address, text: body.interactive.body?.text ?? '', buttons, form: 'list', request };
    }
    return null;
  }
  if (request.operation !== 'sendMessage') return null;
  const keys = (body.reply_markup?.inline_keyboard ?? []).flat();
  const buttons = keys.map((k: Loose) => ({ id: k.callback_data, title: k.text }));
  return {
    platform: 'telegram',
    address: String(body.chat_id),
    text: String(body.text ?? ''),
    buttons,
    form: buttons.length > 0 ? 'keyboard' : 'text',
    request,
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const value = text ? JSON.parse(text) : {};
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return { unparsable: text };
  }
}

export async function startPlatformServer(options: PlatformServerOptions = {}): Promise<PlatformServer> {
  const requests: RecordedRequest[] = [];
  const scripts: { platform: Platform; operation?: string; response: ScriptedResponse }[] = [];
  const listeners = new Set<() => void>();
  let nextMessageId = 1;

  const takeScript = (platform: Platform, operation: string): ScriptedResponse | undefined => {
    const at = scripts.findIndex((s) => s.platform === platform && (!s.operation || s.operation === operation));
    const response = at >= 0 ? scripts.splice(at, 1)[0]!.response : undefined;
    // A scripted pass: the default success.
    return response?.status === PASS ? undefined : response;
  };

  const answer = (res: ServerResponse, response: ScriptedResponse) => {
    res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
    res.end(JSON.stringify(response.body ?? {}));
  };

  const whatsappSuccess = (body: Record<string, unknown>): ScriptedResponse => ({
    status: 200,
    body: {
      messaging_product: 'whatsapp',
      contacts: [{ input: body['to'], wa_id: body['to'] }],
      messages: [{ id: `wamid.fake${String(nextMessageId++).padStart(8, '0')}` }],
    },
  });

  const telegramSuccess = (operation: string, body: Record<string, unknown>): ScriptedResponse => {
    if (operation !== 'sendMessage') return { status: 200, body: { ok: true, result: true } };
    return {
      status: 200,
      body: {
        ok: true,
        result: {
          message_id: nextMessageId++,
          from: { id: 7012345678, is_bot: true, first_name: 'Somacor', username: 'somacor_mant_bot' },
          chat: { id: Number(body['chat_id']), type: 'private' },
          date: Math.floor(Date.now() / 1000),
          text: body['text'],
          ...(body['reply_markup'] ? { reply_markup: body['reply_markup'] } : {}),
        },
      },
    };
  };

  const route = (req: IncomingMessage, body: Record<string, unknown>): [Platform, string, ScriptedResponse] | null => {
    const path = (req.url ?? '').split('?')[0]!;
    const wa = WHATSAPP_PATH.exec(path);
    if (wa) {
      const authorized = !options.whatsappToken || req.headers.authorization === `Bearer ${options.whatsappToken}`;
      const phoneOk = !options.whatsappPhoneNumberId || wa[1] === options.whatsappPhoneNumberId;
      if (!authorized)
        return [
          'whatsapp',
          'messages',
          { status: 401, body: { error: { code: 190, message: 'Invalid OAuth access token' } } },
        ];
      if (!phoneOk)
        return [
          'whatsapp',
          'messages',
          { status: 400, body: { error: { code: 100, message: 'Unsupported post request' } } },
        ];
      return ['whatsapp', 'messages', takeScript('whatsapp', 'messages') ?? whatsappSuccess(body)];
    }
    const tg = TELEGRAM_PATH.exec(path);
    if (tg) {
      const [, token, operation] = tg as unknown as [string, string, string];
      if (options.telegramToken && token !== options.telegramToken) {
        return [
          'telegram',
          operation,
          { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } },
        ];
      }
      return ['telegram', operation, takeScript('telegram', operation) ?? telegramSuccess(operation, body)];
    }
    return null;
  };

  const server = createServer((req, res) => {
    readJson(req)
      .then((body) => {
        const routed = route(req, body);
        if (!routed) return answer(res, { status: 404, body: { error: 'no such fake endpoint' } });
        const [platform, operation, response] = routed;
        requests.push({
          platform,
          operation,
          path: req.url ?? '',
          headers: req.headers,
          body,
          status: response.status,
          response: response.body ?? {},
          at: Date.now(),
        });
        answer(res, response);
        for (const listener of [...listeners]) listener();
      })
      .catch(() => answer(res, { status: 500, body: { error: 'fake server failed' } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sent = (platform?: Platform, address?: string): SentMessage[] =>
    requests
      .filter((r) => r.status >= 200 && r.status < 300 && (!platform || r.platform === platform))
      .map(normalize)
      .filter((m): m is SentMessage => m !== null && (!address || m.address === address));

  const waitFor = <T>(predicate: () => T | undefined | false | null, timeoutMs = 8_000, what = 'condition') =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (value === undefined || value === false || value === null) return false;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        const seen = sent().map((m) => `${m.platform}:${m.address} ${JSON.stringify(m.text.slice(0, 80))}`);
        reject(new Error(`platform server: timed out waiting for ${what}; accepted so far:\n${seen.join('\n')}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  return {
    url,
    whatsappApiUrl: `${url}/whatsapp/v23.0`,
    telegramApiUrl: `${url}/telegram`,
    requests,
    script(platform, responses, operation) {
      for (const response of responses)
        scripts.push(operation ? { platform, operation, response } : { platform, response });
    },
    rateLimitNext(platform, retryAfterSeconds) {
      if (platform === 'telegram') {
        scripts.push({
          platform,
          operation: 'sendMessage',
          response: {
            status: 429,
            body: {
              ok: false,
              error_code: 429,
              description: `Too Many Requests: retry after ${retryAfterSeconds}`,
              parameters: { retry_after: retryAfterSeconds },
            },
          },
        });
      } else {
        scripts.push({
          platform,
          response: {
            status: 429,
            headers: { 'retry-after': String(retryAfterSeconds) },
            body: { error: { code: 130429, message: 'Rate limit hit', type: 'OAuthException' } },
          },
        });
      }
    },
    failNext(platform, status = 500, times = 1, after = 0) {
      for (let i = 0; i < after; i++) {
        const pass = { status: PASS };
        scripts.push(
          platform === 'telegram'
            ? { platform, operation: 'sendMessage', response: pass }
            : { platform, response: pass },
        );
      }
      for (let i = 0; i < times; i++) {
        const body =
          platform === 'telegram'
            ? { ok: false, error_code: status, description: `Internal Server Error (${status})` }
            : { error: { code: 1, message: 'An unknown error occurred', type: 'OAuthException' } };
        scripts.push(
          platform === 'telegram'
            ? { platform, operation: 'sendMessage', response: { status, body } }
            : { platform, response: { status, body } },
        );
      }
    },
    sent,
    waitFor,
    waitForMessage(platform, address, match, opts = {}) {
      const after = opts.after ?? 0;
      return waitFor(
        () => sent(platform, address).slice(after).find(match),
        opts.timeoutMs,
        `a ${platform} message to ${address} (after ${after})`,
      );
    },
    reset() {
      requests.length = 0;
      scripts.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
