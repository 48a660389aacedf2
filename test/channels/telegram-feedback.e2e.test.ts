import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { startHeldCmms } from '../support/held-cmms.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix } from '../support/redis.ts';
import { telegramUser } from './drivers.ts';
import { channelFakes, SECRETS, startChannelGateway } from './gateway.ts';
import { callsTo, quietFor, typingActions } from './telegram-feedback-rig.ts';

let platform: PlatformServer;
let gateway: Gateway;
let prefix: string;
let cmms: Awaited<ReturnType<typeof startHeldCmms>>;

beforeAll(async () => {
  cmms = await startHeldCmms();
  platform = await startPlatformServer(channelFakes());
  ({ gateway, prefix } = await startChannelGateway(platform, cmms.env));
});
afterAll(async () => {
  await gateway?.stop();
  await platform?.close();
  cmms?.close();
  if (prefix) await clearPrefix(prefix);
});

const user = (chatId: number, name: string) =>
  telegramUser({ gatewayUrl: gateway.url, platform, secret: SECRETS.telegramSecret, chatId, name });

/** Typing lasts 4 s between renewals in production settings (the gateway's own). */
const TYPING_INTERVAL_MS = 4_000;

describe('Telegram feedback while a workflow runs (gateway end to end)', () => {
  it('shows "escribiendo…" again and again while the CMMS is slow, then edits "Procesando…" into the result', async () => {
    const pedro = user(5551001, 'Pedro');
    const slowCmms = cmms.hold(/ordenes-trabajo/);
    await pedro.say('consultar estado de OT-CORR-1');
    const processing = await pedro.next(/^Procesando/);
    await slowCmms.arrived;
    // Renewed while the workflow waits on the CMMS (Telegram shows one action for at most 5 s).
    await platform.waitFor(() => typingActions(platform, 5551001).length >= 2, 15_000, 'two typing actions');
    slowCmms.release();

    const result = await pedro.next(/OT-CORR-1\b/, 15_000);
    expect(result.text).toContain('En Progreso');
    expect(result.request.operation).toBe('editMessageText');
    expect(result.request.body['message_id']).toBe(
      (processing.request.response as { result: { message_id: number } }).result.message_id,
    );
    // The chat holds one bot message for the workflow: "Procesando…", now the result.
    expect(callsTo(platform, 5551001, ['sendMessage']).map((r) => r.body['text'])).toEqual([processing.text]);

    const typed = typingActions(platform, 5551001);
    expect(typed.every((action) => action.at <= result.request.at)).toBe(true);
    // No renewal after the result (one more interval would have brought one).
    await quietFor(TYPING_INTERVAL_MS + 500);
    expect(typingActions(platform, 5551001)).toHaveLength(typed.length);
  });

  it('sends the result as a new message when the user wrote while the workflow ran', async () => {
    const ana = user(5551002, 'Ana');
    const slowCmms = cmms.hold(/ordenes-trabajo/);
    await ana.say('consultar estado de OT-CORR-1');
    await ana.next(/^Procesando/);
    await slowCmms.arrived;
    await ana.say('hola');
    // Whatever the assistant answers meanwhile, the user's message now follows "Procesando…".
    await platform.waitFor(
      () => callsTo(platform, 5551002, ['sendMessage']).length >= 2,
      15_000,
      'an answer to "hola"',
    );
    slowCmms.release();

    const result = await ana.next(/OT-CORR-1\b.*En Progreso|En Progreso.*OT-CORR-1\b/s, 15_000);
    expect(result.request.operation).toBe('sendMessage');
    expect(callsTo(platform, 5551002, ['editMessageText'])).toEqual([]);
  });
});
