/**
 * A loopback HTTP server that records the workflow callbacks the DAGs POST (raw body and headers), and
 * plays the gateway's credential endpoint (`POST /api/bot/credentials`) for runs acting as a user: the
 * body `{conversation_id, run_id, dag_id, cmms_user_id, ts}` gets the token only when `run_id` and
 * `dag_id` are the conversation's pending run (409 otherwise) and its live link is `cmms_user_id`'s
 * (403 otherwise), as the gateway answers. (Signatures are checked by the tests, from the recording.)
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  json: Record<string, unknown>;
}

/** The path of the gateway's credential endpoint (`WorkflowConf.credentials_url`). */
export const CREDENTIALS_PATH = '/api/bot/credentials';

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** The credential requests (recorded apart from the callbacks). */
  credentialRequests: ReceivedCallback[];
  /** Each conversation's live link: the CMMS user and their token (a conversation not here gets 403). */
  links: Map<string, CredentialLink>;
  /** Each conversation's pending run (a request naming another run or DAG gets 409). */
  pending: Map<string, PendingRun>;
  /** The status answered to the next callbacks (default 200). */
  answer: number;
  waitFor(runId: string, timeoutMs?: number): Promise<ReceivedCallback>;
  close(): Promise<void>;
}

export interface CredentialLink {
  cmmsUserId: number;
  token: string;
}

export interface PendingRun {
  runId: string;
  dagId: string;
}

/** The credential endpoint's answer to a request's body, as the gateway's. */
function credentialAnswer(receiver: CallbackReceiver, json: Record<string, unknown>): [number, unknown] {
  const conversationId = String(json.conversation_id);
  const pending = receiver.pending.get(conversationId);
  if (!pending || pending.runId !== json.run_id || pending.dagId !== json.dag_id) {
    return [409, { error: 'run_not_pending' }];
  }
  const link = receiver.links.get(conversationId);
  if (!link || link.cmmsUserId !== json.cmms_user_id) return [403, { error: 'identity_expired' }];
  return [200, { token: link.token }];
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const waiters = new Set<() => void>();
  const receiver: CallbackReceiver = {
    url: '',
    received: [],
    credentialRequests: [],
    links: new Map(),
    pending: new Map(),
    answer: 200,
    async waitFor(runId, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = receiver.received.find((cb) => cb.json.run_id === runId);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no callback for run ${runId} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 500);
        });
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
      } catch {
        // recorded as is; the assertions will fail on it
      }
      const entry = { path: req.url ?? '', headers: req.headers, rawBody, json };
      if (entry.path === CREDENTIALS_PATH) {
        receiver.credentialRequests.push(entry);
        const [status, body] = credentialAnswer(receiver, json);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return;
      }
      receiver.received.push(entry);
      res.writeHead(receiver.answer, { 'content-type': 'application/json' }).end('{}');
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
