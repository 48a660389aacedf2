import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { telegramFake } from '../../test/channels/fakes/telegram.ts';
import { callsTo, feedbackRig, quietFor, TOKEN, typingActions } from '../../test/channels/telegram-feedback-rig.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';

/**
 * A loopback relay in front of the fake Bot API that can keep `sendChatAction` calls on their way
 * (a slow network): while held they have not reached Telegram; `release` lets them through.
 */
async function actionRelay(target: string) {
  let gate: { opened: Promise<void>; open: () => void } | null = null;
  let heldCount = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (gate && req.url?.endsWith('/sendChatAction')) {
        heldCount += 1;
        await gate.opened;
      }
      const upstream = await request(`${target}${req.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      });
      const text = await upstream.body.text();
      res.writeHead(upstream.statusCode, { 'content-type': 'application/json' });
      res.end(text);
    })().catch(() => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Actions from now on stay on their way. */
    hold() {
      let open = () => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { opened, open };
    },
    get held() {
      return heldCount;
    },
    release() {
      gate?.open();
      gate = null;
    },
    async close() {
      this.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let platform: PlatformServer;
let relay: Awaited<ReturnType<typeof actionRelay>>;
let rig: ReturnType<typeof feedbackRig> | undefined;
beforeAll(async () => {
  platform = await startPlatformServer([telegramFake({ token: TOKEN })]);
  relay = await actionRelay(platform.url);
});
afterAll(async () => {
  await relay.close();
  await platform.close();
});
beforeEach(() => platform.reset());
afterEach(async () => {
  relay.release();
  await rig?.close();
  rig = undefined;
});

const INTERVAL = 100;

/** The rig with its Bot API calls through the relay. */
function relayedRig() {
  const api = platform.apiUrl('telegram').replace(platform.url, relay.url);
  rig = feedbackRig({ ...platform, apiUrl: () => api }, { typingIntervalMs: INTERVAL });
  return rig;
}

const waitUntil = async (holds: () => boolean, what: string) => {
  for (let waited = 0; !holds(); waited += 20) {
    if (waited > 8_000) throw new Error(`timed out waiting for ${what}`);
    await quietFor(20);
  }
};

describe('Telegram: no "escribiendo…" after a result', () => {
  it('sends the result after an action already on its way when the state changed, and no action after', async () => {
    const rig = relayedRig();
    relay.hold();
    await rig.working('telegram:81');
    await waitUntil(() => relay.held >= 1, 'a typing action on its way');
    // The result is committed: the bus says the conversation left `processing` while the action travels.
    rig.finish('telegram:81');
    const result = rig.result('telegram:81', 'Listo: OT-CORR-14 creada.');
    await quietFor(INTERVAL * 3);
    // The result does not overtake the action: Telegram would show "escribiendo…" after it.
    expect(callsTo(platform, 81, ['editMessageText'])).toEqual([]);
    relay.release();
    await result;

    const calls = callsTo(platform, 81).map((c) => c.operation);
    expect(calls).toEqual(['sendMessage', 'sendChatAction', 'editMessageText']);
    // No beat starts after the loop ended, though the action came back after the state changed.
    await quietFor(INTERVAL * 5);
    expect(typingActions(platform, 81)).toHaveLength(1);
  });
});
