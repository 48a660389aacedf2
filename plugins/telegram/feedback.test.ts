import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { telegramFake } from '../../test/channels/fakes/telegram.ts';
import { callsTo, feedbackRig, PROCESSING, TOKEN, userMessage } from '../../test/channels/telegram-feedback-rig.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';

const telegram = telegramFake({ token: TOKEN });
let platform: PlatformServer;
let rig: ReturnType<typeof feedbackRig>;
beforeAll(async () => {
  platform = await startPlatformServer([telegram]);
});
afterAll(() => platform.close());
beforeEach(() => {
  platform.reset();
  // Typing is not what these tests look at: one action per workflow.
  rig = feedbackRig(platform, { typingIntervalMs: 60_000 });
});
afterEach(() => rig.close());

const RESULT = 'Falla reportada. Se creó la orden OT-CORR-7 para CAT-001.';
const MENU = [
  { id: 'menu:reportar', title: 'Reportar falla' },
  { id: 'menu:estado', title: 'Consultar estado' },
];
const idOf = (request: { response: unknown }) =>
  (request.response as { result: { message_id: number } }).result.message_id;
const bodies = (chatId: number, operation: string) => callsTo(platform, chatId, [operation]).map((r) => r.body);

describe('Telegram: the result replaces "Procesando…"', () => {
  it('edits the "Procesando…" message into the result, buttons included, when nothing came after it', async () => {
    await rig.working('telegram:42');
    const [processing] = callsTo(platform, 42, ['sendMessage']);
    rig.finish('telegram:42');
    await rig.result('telegram:42', RESULT, MENU);

    expect(bodies(42, 'sendMessage').map((b) => b['text'])).toEqual([PROCESSING]);
    expect(bodies(42, 'editMessageText')).toEqual([
      expect.objectContaining({
        chat_id: '42',
        message_id: idOf(processing!),
        text: RESULT,
        reply_markup: { inline_keyboard: [MENU.map((b) => ({ text: b.title, callback_data: b.id }))] },
      }),
    ]);
    // The user sees one message: "Procesando…" became the result.
    expect(platform.sent('telegram', '42').map((m) => m.text)).toEqual([PROCESSING, RESULT]);
    expect(await rig.dispatcher.deadLetters()).toEqual([]);
  });

  it('sends the result as a new message when the user wrote after "Procesando…"', async () => {
    await rig.working('telegram:43');
    await rig.post(userMessage(43, '¿ya está?', 501));
    rig.finish('telegram:43');
    await rig.result('telegram:43', RESULT);
    expect(bodies(43, 'editMessageText')).toEqual([]);
    expect(bodies(43, 'sendMessage').map((b) => b['text'])).toEqual([PROCESSING, RESULT]);
  });

  it('sends the result as a new message when the user pressed a button after "Procesando…"', async () => {
    await rig.working('telegram:44');
    await rig.post({
      update_id: 700_900,
      callback_query: {
        id: 'cq-44',
        from: { id: 44, is_bot: false, first_name: 'Pedro' },
        message: { message_id: 3, chat: { id: 44, type: 'private' }, date: 1749416383, text: 'Menú' },
        chat_instance: '-3312094871623421785',
        data: 'menu:estado',
      },
    });
    await rig.result('telegram:44', RESULT);
    expect(bodies(44, 'editMessageText')).toEqual([]);
    expect(bodies(44, 'sendMessage').map((b) => b['text'])).toEqual([PROCESSING, RESULT]);
  });

  it('sends the result as a new message when the bot said something else after "Procesando…"', async () => {
    await rig.working('telegram:45');
    await rig.deliver({ conversationId: 'telegram:45', text: 'Sigo trabajando en tu solicitud.' });
    await rig.result('telegram:45', RESULT);
    expect(bodies(45, 'editMessageText')).toEqual([]);
    expect(bodies(45, 'sendMessage').map((b) => b['text'])).toEqual([
      PROCESSING,
      'Sigo trabajando en tu solicitud.',
      RESULT,
    ]);
  });

  it('sends a result too long for one message as new messages', async () => {
    await rig.working('telegram:46');
    const long = `${'Detalle de la orden. '.repeat(250)}Fin.`;
    await rig.result('telegram:46', long);
    expect(bodies(46, 'editMessageText')).toEqual([]);
    expect(bodies(46, 'sendMessage')).toHaveLength(3);
  });

  it('falls back to a new message when Telegram refuses the edit', async () => {
    await rig.working('telegram:47');
    platform.script(
      'telegram',
      [{ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' } }],
      'editMessageText',
    );
    await rig.result('telegram:47', RESULT);
    expect(callsTo(platform, 47, ['editMessageText']).map((r) => r.status)).toEqual([400]);
    expect(bodies(47, 'sendMessage').map((b) => b['text'])).toEqual([PROCESSING, RESULT]);
    expect(await rig.dispatcher.deadLetters()).toEqual([]);
  });

  it("waits a 429's retry_after on the edit and then edits, without a duplicate", async () => {
    await rig.working('telegram:48');
    platform.script('telegram', [telegram.rateLimited(1)], 'editMessageText');
    await rig.result('telegram:48', RESULT);
    const edits = callsTo(platform, 48, ['editMessageText']);
    expect(edits.map((r) => r.status)).toEqual([429, 200]);
    expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(bodies(48, 'sendMessage').map((b) => b['text'])).toEqual([PROCESSING]);
  });

  it('takes "message is not modified" (an edit that already went through) as delivered', async () => {
    await rig.working('telegram:49');
    const [processing] = callsTo(platform, 49, ['sendMessage']);
    // The edit reached Telegram once already (its answer was lost): the chat shows the result.
    const res = await fetch(`${platform.apiUrl('telegram')}/bot${TOKEN}/editMessageText`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: '49', message_id: idOf(processing!), text: RESULT }),
    });
    expect(res.status).toBe(200);
    await rig.result('telegram:49', RESULT);
    expect(callsTo(platform, 49, ['editMessageText']).map((r) => r.status)).toEqual([200, 400]);
    expect(bodies(49, 'sendMessage').map((b) => b['text'])).toEqual([PROCESSING]);
    expect(await rig.dispatcher.deadLetters()).toEqual([]);
  });

  it('edits a group member\'s own "Procesando…" in the group chat', async () => {
    const group = -1001234567890;
    const ana = `telegram:${group}:111`;
    await rig.working(ana);
    await rig.result(ana, RESULT);
    expect(bodies(group, 'editMessageText')).toEqual([
      expect.objectContaining({ chat_id: String(group), text: RESULT }),
    ]);
  });

  it('replaces only once: a later result of the conversation is a new message', async () => {
    await rig.working('telegram:50');
    await rig.result('telegram:50', RESULT);
    await rig.result('telegram:50', 'Otra respuesta.');
    expect(bodies(50, 'editMessageText')).toHaveLength(1);
    expect(bodies(50, 'sendMessage').map((b) => b['text'])).toEqual([PROCESSING, 'Otra respuesta.']);
  });
});
