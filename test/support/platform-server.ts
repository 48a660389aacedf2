import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the channels' send APIs, for tests. It knows no channel: the test passes
 * the fakes it needs (`startPlatformServer([whatsappFake(), telegramFake()])`, each living with its
 * channel's tests in `test/channels/fakes/`), and each is served under `/{name}/`. The server records
 * every request, lets the fake check the credentials, and answers scripted failures (429 with a
 * retry-after, 500) before the fake's default success.
 */

/** A fake's name (`whatsapp`, `telegram`, `sms`): the platform of its records. */
export type Platform = string;

export interface RecordedRequest {
  platform: Platform;
  /** What the fake calls the request (`messages`, a Bot API method like `sendMessage`, …). */
  operation: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON body, or the fields of a form-encoded one. */
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
  /** The recipient (WhatsApp `to`, Telegram `chat_id`, SMS `To`). */
  address: string;
  text: string;
  buttons: { id: string; title: string }[];
  /** The fake's name for how it was shown: `text`, `button`, `list`, `keyboard`, … */
  form: string;
  request: RecordedRequest;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request as a fake sees it: the path below its own prefix (`/v23.0/…/messages`, `/bot123:ABC/sendMessage`). */
export interface FakeRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** One channel's platform API, as `startPlatformServer` composes it. */
export interface PlatformFake {
  /** Served under `/{name}/`; the `platform` of its records. */
  readonly name: Platform;
  /** The operation that sends a message: scripted failures (`rateLimitNext`, `failNext`) apply to it. */
  readonly sendOperation: string;
  /** The value of the channel's API-URL variable, given the fake's root (`http://127.0.0.1:port/{name}`). */
  apiUrl(root: string): string;
  /**
   * The operation a request is (null: no such endpoint, 404) and, when its credentials are wrong,
   * the platform's refusal.
   */
  route(request: FakeRequest): { operation: string; refused?: ScriptedResponse } | null;
  /** The platform's answer to an accepted request; `nextId()` numbers the messages it accepts. */
  success(operation: string, request: FakeRequest, nextId: () => number): ScriptedResponse;
  /** The platform's "too many requests" answer. */
  rateLimited(retryAfterSeconds: number): ScriptedResponse;
  /** The platform's error answer with this status. */
  failure(status: number): ScriptedResponse;
  /** What the user saw from an accepted request; null when it is not a message (a status call, …). */
  seen(request: RecordedRequest): Omit<SentMessage, 'platform' | 'request'> | null;
}

export interface PlatformServer {
  url: string;
  /** The value for the channel's API-URL variable (`WHATSAPP_API_URL`, `TELEGRAM_API_URL`, …). */
  apiUrl(platform: Platform): string;
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
  /** Resolves with the first accepted message to `address` after the first `after` ones that matches `match`. */
  waitForMessage(
    platform: Platform,
    address: string,
    match: (message: SentMessage) => boolean,
    opts?: { after?: number; timeoutMs?: number },
  ): Promise<SentMessage>;
  reset(): void;
  close(): Promise<void>;
}

/** A scripted entry that lets the request through to the default success. */
const PASS = 0;

/** JSON, or the fields of a form-encoded body. */
async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    const value = text ? JSON.parse(text) : {};
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return { unparsable: text };
  }
}

export async function startPlatformServer(fakes: readonly PlatformFake[]): Promise<PlatformServer> {
  const byName = new Map(fakes.map((fake) => [fake.name, fake]));
  if (byName.size !== fakes.length) throw new Error('platform server: two fakes with the same name');
  const requests: RecordedRequest[] = [];
  const scripts: { platform: Platform; operation?: string; response: ScriptedResponse }[] = [];
  const listeners = new Set<() => void>();
  let nextMessageId = 1;
  const nextId = () => nextMessageId++;

  const fakeOf = (platform: Platform): PlatformFake => {
    const fake = byName.get(platform);
    if (!fake) throw new Error(`platform server: no fake named "${platform}" (started with ${[...byName.keys()]})`);
    return fake;
  };

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

  const route = (req: IncomingMessage, body: Record<string, unknown>): [Platform, string, ScriptedResponse] | null => {
    const path = (req.url ?? '').split('?')[0]!;
    const [, name = '', ...rest] = path.split('/');
    const fake = byName.get(name);
    if (!fake) return null;
    const request: FakeRequest = { path: `/${rest.join('/')}`, headers: req.headers, body };
    const routed = fake.route(request);
    if (!routed) return null;
    const { operation, refused } = routed;
    if (refused) return [fake.name, operation, refused];
    return [fake.name, operation, takeScript(fake.name, operation) ?? fake.success(operation, request, nextId)];
  };

  const server = createServer((req, res) => {
    readBody(req)
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
      .flatMap((request) => {
        const seen = fakeOf(request.platform).seen(request);
        return seen && (!address || seen.address === address) ? [{ ...seen, platform: request.platform, request }] : [];
      });

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
    apiUrl: (platform) => fakeOf(platform).apiUrl(`${url}/${platform}`),
    requests,
    script(platform, responses, operation) {
      for (const response of responses)
        scripts.push(operation ? { platform, operation, response } : { platform, response });
    },
    rateLimitNext(platform, retryAfterSeconds) {
      const fake = fakeOf(platform);
      scripts.push({ platform, operation: fake.sendOperation, response: fake.rateLimited(retryAfterSeconds) });
    },
    failNext(platform, status = 500, times = 1, after = 0) {
      const fake = fakeOf(platform);
      for (let i = 0; i < after; i++) {
        scripts.push({ platform, operation: fake.sendOperation, response: { status: PASS } });
      }
      for (let i = 0; i < times; i++) {
        scripts.push({ platform, operation: fake.sendOperation, response: fake.failure(status) });
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
