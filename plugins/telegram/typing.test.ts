import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { telegramFake } from '../../test/channels/fakes/telegram.ts';
import {
  callsTo,
  feedbackRig,
  quietFor,
  type RigOptions,
  TOKEN,
  typingActions,
} from '../../test/channels/telegram-feedback-rig.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';

const telegram = telegramFake({ token: TOKEN });
let platform: PlatformServer;
let rig: ReturnType<typeof feedbackRig> | undefined;
beforeAll(async () => {
  platform = await startPlatformServer([telegram]);
});
afterAll(() => platform.close());
beforeEach(() => platform.reset());
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const INTERVAL = 100;
const start = (options: RigOptions = {}) => {
  rig = feedbackRig(platform, { typingIntervalMs: INTERVAL, ...options });
  return rig;
};
/** Resolves once the chat got `count` typing actions. */
const actions = (chatId: number, count: number) =>
  platform.waitFor(
    () => typingActions(platform, chatId).length >= count,
    8_000,
    `${count} typing actions in ${chatId}`,
  );

describe('Telegram: "escribiendo…" while a workflow runs', () => {
  it('sends typing at once and again while the workflow runs, none after its result', async () => {
    const rig = start();
    await rig.working('telegram:60');
    await actions(60, 3);
    expect(typingActions(platform, 60)[0]!.body).toEqual({ chat_id: '60', action: 'typing' });
    rig.finish('telegram:60');
    await rig.result('telegram:60', 'Listo: OT-CORR-9 creada.');
    const count = typingActions(platform, 60).length;
    await quietFor(INTERVAL * 5);
    expect(typingActions(platform, 60)).toHaveLength(count);
    const [edit] = callsTo(platform, 60, ['editMessageText']);
    expect(typingActions(platform, 60).every((action) => action.at <= edit!.at)).toBe(true);
  });

  it('stops when its result is sent here, even before the state says so', async () => {
    const rig = start();
    await rig.working('telegram:61');
    await actions(61, 2);
    await rig.result('telegram:61', 'Listo.');
    const count = typingActions(platform, 61).length;
    await quietFor(INTERVAL * 5);
    expect(typingActions(platform, 61)).toHaveLength(count);
  });

  it('stops when the conversation leaves processing elsewhere (another process delivered the result)', async () => {
    const rig = start();
    await rig.working('telegram:62');
    await actions(62, 2);
    rig.finish('telegram:62');
    const count = typingActions(platform, 62).length;
    await quietFor(INTERVAL * 5);
    // An action already on its way when the state changed may still land.
    expect(typingActions(platform, 62).length).toBeLessThanOrEqual(count + 1);
    const settled = typingActions(platform, 62).length;
    await quietFor(INTERVAL * 3);
    expect(typingActions(platform, 62)).toHaveLength(settled);
  });

  it('stops on the stored state too, when the bus message was missed', async () => {
    const rig = start();
    await rig.working('telegram:63');
    await actions(63, 2);
    rig.finish('telegram:63', { publish: false });
    await quietFor(INTERVAL * 4);
    const settled = typingActions(platform, 63).length;
    await quietFor(INTERVAL * 4);
    expect(typingActions(platform, 63)).toHaveLength(settled);
  });

  it('stops after its limit even if no result ever comes', async () => {
    const rig = start({ typingLimitMs: INTERVAL * 3 });
    await rig.working('telegram:64');
    await actions(64, 2);
    await quietFor(INTERVAL * 4);
    const settled = typingActions(platform, 64).length;
    await quietFor(INTERVAL * 4);
    expect(typingActions(platform, 64)).toHaveLength(settled);
    expect(settled).toBeLessThanOrEqual(5);
  });

  it('pauses for retry_after on a 429 and goes on after other errors, logging them', async () => {
    const rig = start();
    platform.script('telegram', [telegram.failure(500), telegram.rateLimited(1)], 'sendChatAction');
    await rig.working('telegram:65');
    await platform.waitFor(() => typingActions(platform, 65).filter((r) => r.status === 200).length >= 1);
    const [failed, limited, next] = typingActions(platform, 65);
    expect([failed!.status, limited!.status, next!.status]).toEqual([500, 429, 200]);
    expect(next!.at - limited!.at).toBeGreaterThanOrEqual(1000);
    expect(rig.logs.filter((l) => l['msg'] === 'sendChatAction failed')).toHaveLength(2);
    await rig.result('telegram:65', 'Listo.');
  });

  it('runs one loop per chat: a group shows one "escribiendo…" for all its members at work', async () => {
    const group = -1009876543210;
    const rig = start({ typingIntervalMs: 60_000 });
    await rig.working(`telegram:${group}:111`);
    await rig.working(`telegram:${group}:222`);
    await rig.working(`telegram:${group}:222`);
    await quietFor(INTERVAL * 3);
    expect(typingActions(platform, group)).toHaveLength(1);
  });

  it("keeps typing for a group member still at work after another member's result", async () => {
    const group = -1009876543211;
    const rig = start();
    await rig.working(`telegram:${group}:111`);
    await rig.working(`telegram:${group}:222`);
    rig.finish(`telegram:${group}:111`);
    await rig.result(`telegram:${group}:111`, 'Listo, Ana.');
    const count = typingActions(platform, group).length;
    await actions(group, count + 2);
    await rig.result(`telegram:${group}:222`, 'Listo, Bruno.');
    const settled = typingActions(platform, group).length;
    await quietFor(INTERVAL * 5);
    expect(typingActions(platform, group)).toHaveLength(settled);
  });

  it('stops typing when the plugin closes', async () => {
    const rig = start();
    await rig.working('telegram:66');
    await actions(66, 1);
    await rig.close();
    const settled = typingActions(platform, 66).length;
    await quietFor(INTERVAL * 5);
    expect(typingActions(platform, 66)).toHaveLength(settled);
  });
});

describe("Telegram typing within the chat's send budget", () => {
  it('never lets typing actions and messages together exceed the per-chat budget', async () => {
    // One call per second per chat, no burst: any 1 s holds at most 2 calls even with 1 s of jitter.
    const rig = start({ typingIntervalMs: 20, pacing: { perChat: { burst: 1, perSecond: 1 } } });
    await rig.working('telegram:67');
    for (const text of ['Sigo trabajando.', 'Ya casi.']) {
      await actions(67, typingActions(platform, 67).length + 1);
      void rig.deliver({ conversationId: 'telegram:67', text });
    }
    await platform.waitFor(() => callsTo(platform, 67, ['sendMessage']).length === 3);
    await actions(67, typingActions(platform, 67).length + 1);
    rig.finish('telegram:67');
    await rig.result('telegram:67', 'Listo: OT-CORR-10 creada.');

    const calls = callsTo(platform, 67);
    expect(calls.map((c) => c.operation)).toContain('sendChatAction');
    for (const call of calls) {
      expect(calls.filter((c) => c.at >= call.at && c.at < call.at + 1000).length).toBeLessThanOrEqual(2);
    }
    // With a call every 20 ms wanted, typing only got what the budget left: about one a second.
    const span = calls.at(-1)!.at - calls[0]!.at;
    expect(calls.length).toBeLessThanOrEqual(2 + span / 1000);
    expect(await rig.dispatcher.deadLetters()).toEqual([]);
  });
});
