import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import { fixture, fixtureText } from '../../test/contract/fixtures.ts';
import { parseUpdate } from './parse.ts';
import { verifySecretToken } from './verify.ts';

const parse = (name: string) => parseUpdate(fixture('telegram', name));

describe('Telegram update parsing', () => {
  it('reads a text message: conversation per chat, id per chat message', () => {
    expect(parse('message-text.json')).toEqual({
      kind: 'message',
      updateId: 715000101,
      message: {
        id: '123456789:301',
        channel: 'telegram',
        conversationId: 'telegram:123456789',
        user: { id: '123456789', name: 'Pedro González' },
        text: 'consultar estado de OT-CORR-1 🙏',
        receivedAt: '2025-06-08T20:59:43.000Z',
      },
    });
  });

  it('reads commands, locations, the largest photo and documents', () => {
    expect(parse('message-command.json')).toMatchObject({ message: { text: 'hola' } });
    expect(parse('message-location.json')).toMatchObject({
      message: { location: { latitude: -33.4489, longitude: -70.6693 } },
    });
    expect(parse('message-photo.json')).toMatchObject({
      message: {
        text: 'Fuga de aceite en CAT-001',
        attachments: [{ kind: 'image', id: 'AgACAgEAAxkBAAIBMGZlarge', caption: 'Fuga de aceite en CAT-001' }],
      },
    });
    expect(parse('message-document.json')).toMatchObject({
      message: {
        attachments: [
          {
            kind: 'document',
            id: 'BQACAgEAAxkBAAIBMWZdocument',
            mimeType: 'application/pdf',
            fileName: 'inspeccion-CAT-001.pdf',
          },
        ],
      },
    });
  });

  it('gives each member of a group a conversation of their own in that group', () => {
    expect(parse('group-message.json')).toMatchObject({
      message: { conversationId: 'telegram:-1001234567890:123456789', user: { id: '123456789' } },
    });
    const other = fixture<{ message: { from: { id: number } } }>('telegram', 'group-message.json');
    other.message.from.id = 987654321;
    expect(parseUpdate(other)).toMatchObject({
      message: { conversationId: 'telegram:-1001234567890:987654321', user: { id: '987654321' } },
    });
  });

  it("reads a member's button press in a group as that member's, not the asker's", () => {
    const press = fixture<{ callback_query: { from: { id: number }; message: { chat: { id: number } } } }>(
      'telegram',
      'callback-query.json',
    );
    press.callback_query.message.chat = { id: -1001234567890, type: 'supergroup' } as never;
    press.callback_query.from.id = 987654321;
    expect(parseUpdate(press)).toMatchObject({
      message: { conversationId: 'telegram:-1001234567890:987654321', user: { id: '987654321' } },
    });
  });

  it('turns a pressed button into an action, with the button title as text', () => {
    expect(parse('callback-query.json')).toMatchObject({
      kind: 'callback',
      callbackQueryId: '4382164981273645121',
      message: {
        id: 'callback:4382164981273645121',
        conversationId: 'telegram:123456789',
        action: 'priority:alta',
        text: 'Alta',
      },
    });
  });

  it('tells edits, unreadable messages and other updates apart', () => {
    expect(parse('edited-message.json')).toEqual({
      kind: 'edited',
      updateId: 715000108,
      conversationId: 'telegram:123456789',
    });
    expect(parse('message-contact.json')).toMatchObject({ kind: 'unsupported', conversationId: 'telegram:123456789' });
    expect(parseUpdate({ update_id: 1, my_chat_member: {} })).toMatchObject({ kind: 'ignored' });
  });

  it('rejects what is not an Update, and marks an Update with a malformed message', () => {
    expect(() => parseUpdate('hola')).toThrow(ValidationError);
    expect(() => parseUpdate({ message: {} })).toThrow(/update_id/);
    expect(parseUpdate({ update_id: 1, message: { text: 'x' } })).toMatchObject({
      kind: 'malformed',
      reason: expect.stringMatching(/^message\.message_id: /),
    });
  });
});

describe('X-Telegram-Bot-Api-Secret-Token', () => {
  it('accepts only the exact secret', () => {
    expect(verifySecretToken('s3cr3t_-', 's3cr3t_-')).toBe(true);
    expect(verifySecretToken('s3cr3t', 's3cr3t_-')).toBe(false);
    expect(verifySecretToken(undefined, 's3cr3t_-')).toBe(false);
  });
});

describe('Telegram commands', () => {
  const withText = (text: string) => {
    const update = JSON.parse(fixtureText('telegram', 'message-command.json'));
    update.message.text = text;
    return parseUpdate(update);
  };

  it('reads /start, /help and /ayuda as the words they stand for, with or without @BotName', () => {
    expect(withText('/start')).toMatchObject({ message: { text: 'hola' } });
    expect(withText('/start@somacor_mant_bot')).toMatchObject({ message: { text: 'hola' } });
    expect(withText('/help')).toMatchObject({ message: { text: 'ayuda' } });
    expect(withText('/ayuda@somacor_mant_bot')).toMatchObject({ message: { text: 'ayuda' } });
  });

  it('strips the @BotName of other commands and keeps their arguments', () => {
    expect(withText('/estado@somacor_mant_bot OT-CORR-1')).toMatchObject({ message: { text: '/estado OT-CORR-1' } });
    expect(withText('escribe a soporte@somacor.cl')).toMatchObject({
      message: { text: 'escribe a soporte@somacor.cl' },
    });
  });
});
