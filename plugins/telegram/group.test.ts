import { describe, expect, it } from 'vitest';
import { ChannelPacer } from '../../core/delivery/rate-limit.ts';
import { fixture } from '../../test/contract/fixtures.ts';
import { parseUpdate } from './parse.ts';
import { CallbackData, renderTelegram } from './render.ts';
import { PACING } from './types.ts';

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads, changed field by field
type Update = Record<string, any>;
const GROUP = -1001234567890;
const [ANA, BRUNO] = [111111111, 222222222];

const said = (from: number, text: string, messageId: number): Update => {
  const update = fixture<Update>('telegram', 'group-message.json');
  update.update_id += messageId;
  update.message.message_id = messageId;
  update.message.from.id = from;
  update.message.text = text;
  return update;
};

const pressed = (from: number, data: string): Update => {
  const update = fixture<Update>('telegram', 'callback-query.json');
  update.callback_query.from.id = from;
  update.callback_query.message.chat = { id: GROUP, title: 'Mantención Faena Norte', type: 'supergroup' };
  update.callback_query.data = data;
  return update;
};

const conversationOf = (update: Update) => (parseUpdate(update) as { message: { conversationId: string } }).message;

describe('Telegram groups: one conversation per member', () => {
  it("keeps members apart: Bruno's answer cannot complete Ana's open report", () => {
    const ana = conversationOf(said(ANA, 'reportar falla', 1)).conversationId;
    const bruno = conversationOf(said(BRUNO, 'alta', 2)).conversationId;
    const brunoPress = conversationOf(pressed(BRUNO, 'priority:alta')).conversationId;
    expect(ana).toBe(`telegram:${GROUP}:${ANA}`);
    expect(bruno).toBe(`telegram:${GROUP}:${BRUNO}`);
    expect(brunoPress).toBe(bruno);
    expect(conversationOf(pressed(ANA, 'priority:alta')).conversationId).toBe(ana);
  });

  it('keeps a private chat as one conversation, as before', () => {
    expect(conversationOf(fixture('telegram', 'message-text.json')).conversationId).toBe('telegram:123456789');
    expect(conversationOf(fixture('telegram', 'callback-query.json')).conversationId).toBe('telegram:123456789');
  });

  it("answers each member's conversation in the group chat", () => {
    const [part] = renderTelegram({ conversationId: `telegram:${GROUP}:${ANA}`, text: 'Listo' }, new CallbackData());
    expect(part!.chat_id).toBe(String(GROUP));
  });

  it("paces all members' replies together, within the group's 20 a minute", () => {
    const pacer = new ChannelPacer(PACING, 0);
    const waits = [ANA, BRUNO, ANA, BRUNO].map((user) => pacer.reserve(`telegram:${GROUP}:${user}`, 0));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(Math.round(waits[3]! / 1000)).toBe(3);
  });
});
