import { Agent, request } from 'node:http';
import { sleep } from './procs.ts';

/** One HTTP attempt's outcome; `status` 0 when no HTTP answer came (see `error`). */
export interface Attempt {
  status: number;
  retryAfter: string | null;
  body: unknown;
  ms: number;
  /** `hung` (no answer within the deadline), `reset`, `refused` or another socket error code. */
  error?: string;
  sentAt: number;
}

/** A keep-alive pool per run; `agent: false` opens a fresh connection per request. */
export const pool = new Agent({ keepAlive: true, maxSockets: 256 });

export function httpCall(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; deadlineMs: number; agent?: Agent | false },
): Promise<Attempt> {
  const sentAt = Date.now();
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const finish = (attempt: Omit<Attempt, 'ms' | 'sentAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...attempt, ms: Date.now() - sentAt, sentAt });
    };
    const url = new URL(path, baseUrl);
    const req = request(url, {
      method,
      agent: opts.agent ?? pool,
      headers: {
        ...(payload
          ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
          : {}),
        ...opts.headers,
      },
    });
    const timer = setTimeout(() => {
      finish({ status: 0, retryAfter: null, body: null, error: 'hung' });
      req.destroy();
    }, opts.deadlineMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      const kind =
        code === 'ECONNRESET' || code === 'EPIPE' || error.message === 'socket hang up'
          ? 'reset'
          : code === 'ECONNREFUSED'
            ? 'refused'
            : code;
      finish({ status: 0, retryAfter: null, body: null, error: kind });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => finish({ status: 0, retryAfter: null, body: null, error: 'reset' }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        const retryAfter = res.headers['retry-after'];
        finish({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body });
      });
    });
    req.end(payload);
  });
}

export interface WebAnswer {
  conversation_id?: string;
  conversation_token?: string;
  replies?: { text: string }[];
  status?: string;
  duplicate?: boolean;
}

export interface WebMessage {
  user_id: string;
  message?: string;
  action?: string;
  message_id: string;
}

export function postMessage(baseUrl: string, message: WebMessage, deadlineMs: number, agent?: Agent | false) {
  return httpCall(baseUrl, 'POST', '/api/bot/message', {
    body: message,
    deadlineMs,
    ...(agent !== undefined ? { agent } : {}),
  });
}

/** A 200 whose body has at least one reply: the user got a real answer. */
export function answered(attempt: Attempt): boolean {
  const body = attempt.body as WebAnswer | null;
  return attempt.status === 200 && Array.isArray(body?.replies) && body.replies.length > 0;
}

/** Worth retrying, as a platform would: no answer, 409, 429 or 5xx. A 200 (even empty) is final. */
export function retryable(attempt: Attempt): boolean {
  return attempt.status === 0 || attempt.status === 409 || attempt.status === 429 || attempt.status >= 500;
}

export interface Delivery {
  attempts: Attempt[];
  final: Attempt;
}

/**
 * Sends a message and retries it with the same `message_id` until a final answer, honouring
 * `Retry-After` (else 500 ms), for at most `budgetMs`. `target` picks the URL for each attempt.
 */
export async function deliver(
  target: (attempt: number) => string,
  message: WebMessage,
  opts: { deadlineMs: number; budgetMs: number; agent?: Agent | false; first?: Attempt },
): Promise<Delivery> {
  const attempts: Attempt[] = opts.first ? [opts.first] : [];
  const giveUpAt = Date.now() + opts.budgetMs;
  for (;;) {
    const previous = attempts.at(-1);
    if (previous && !retryable(previous)) return { attempts, final: previous };
    if (previous) {
      const hinted = Number(previous.retryAfter);
      const waitMs = Number.isFinite(hinted) && hinted > 0 ? Math.min(hinted * 1000, 10_000) : 500;
      if (Date.now() + waitMs > giveUpAt) return { attempts, final: previous };
      await sleep(waitMs);
    }
    attempts.push(await postMessage(target(attempts.length), message, opts.deadlineMs, opts.agent));
  }
}

export interface TranscriptEntry {
  direction: 'in' | 'out';
  text: string;
  action?: string;
}

/** The conversation's transcript through the admin token (null when unreadable). */
export async function readTranscript(
  baseUrl: string,
  conversationId: string,
  adminToken: string,
): Promise<TranscriptEntry[] | null> {
  const attempt = await httpCall(
    baseUrl,
    'GET',
    `/api/bot/conversations/${encodeURIComponent(conversationId)}/messages?limit=500`,
    { headers: { authorization: `Bearer ${adminToken}` }, deadlineMs: 15_000 },
  );
  if (attempt.status !== 200) return null;
  return (attempt.body as { messages: TranscriptEntry[] }).messages;
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** The percentile (0-100) of a list of numbers, 0 when empty. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
