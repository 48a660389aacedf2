import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { settingsOf } from './settings.ts';

describe('WhatsApp template settings', () => {
  const base = { verifyToken: 'v', appSecret: 's', token: 't', phoneNumberId: '1', apiUrl: 'http://127.0.0.1:9' };

  it('has no template unless WHATSAPP_TEMPLATE_NAME is set; the language defaults to es', () => {
    expect(settingsOf(base, {}).template).toBeUndefined();
    expect(settingsOf(base, { WHATSAPP_TEMPLATE_LANGUAGE: 'es_MX' }).template).toBeUndefined();
    expect(settingsOf(base, { WHATSAPP_TEMPLATE_NAME: ' aviso_ot ' }).template).toEqual({
      name: 'aviso_ot',
      language: 'es',
    });
    expect(settingsOf({ ...base, templateName: 'otro_aviso', templateLanguage: 'pt_BR' }, {}).template).toEqual({
      name: 'otro_aviso',
      language: 'pt_BR',
    });
  });

  it('refuses a template name Meta would not accept, naming the variable', () => {
    for (const name of ['Aviso OT', 'aviso-ot', 'x'.repeat(513)]) {
      expect(() => settingsOf(base, { WHATSAPP_TEMPLATE_NAME: name })).toThrow(/^WHATSAPP_TEMPLATE_NAME must be/);
    }
    expect(() => settingsOf(base, { WHATSAPP_TEMPLATE_NAME: 'Aviso' })).toThrow(ConfigError);
    expect(settingsOf(base, { WHATSAPP_TEMPLATE_NAME: 'aviso_ot_2' }).template?.name).toBe('aviso_ot_2');
    expect(settingsOf(base, { WHATSAPP_TEMPLATE_NAME: 'x'.repeat(512) }).template?.name).toHaveLength(512);
  });

  it('refuses a malformed language code, naming the variable', () => {
    expect(() =>
      settingsOf(base, { WHATSAPP_TEMPLATE_NAME: 'aviso_ot', WHATSAPP_TEMPLATE_LANGUAGE: 'español' }),
    ).toThrow(/^WHATSAPP_TEMPLATE_LANGUAGE must be/);
  });
});
