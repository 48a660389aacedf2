import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import type { DeliveryStatus } from '../runtime/types.ts';
import { deliveryStatusHandler, type ReportedStatus } from './delivery-statuses.ts';
import type { LateFailure } from './types.ts';

const FAILURE = { code: 'delivery_failed', platformCode: 30003, reason: 'unreachable handset', retryable: false };

function setup(options: { recordFails?: boolean; reportFails?: boolean } = {}) {
  const logs: Record<string, unknown>[] = [];
  const recorded: [string, DeliveryStatus][] = [];
  const deadLettered: [string, Omit<LateFailure, 'partsSent'>][] = [];
  const handle = deliveryStatusHandler({
    platform: 'Twilio',
    logger: createLogger('debug', {}, (line) => logs.push(JSON.parse(line))),
    runtime: {
      async recordDeliveryStatus(conversationId, status) {
        if (options.recordFails) throw new Error('store command timed out');
        recorded.push([conversationId, status]);
      },
    },
    async reportFailed(platformId, failure) {
      if (options.reportFails) throw new Error('dead-letter store down');
      deadLettered.push([platformId, failure]);
      return true;
    },
  });
  return { handle, logs, recorded, deadLettered };
}

const status = (messageId: string, value: string, failure?: typeof FAILURE): ReportedStatus => ({
  conversationId: 'sms:+56912345678',
  status: { messageId, status: value, at: '2026-12-02T11:00:00.000Z' },
  ...(failure ? { failure } : {}),
});

describe('deliveryStatusHandler', () => {
  it('records each status once and dead-letters the failures', async () => {
    const { handle, recorded, deadLettered, logs } = setup();
    await handle(status('SM1', 'delivered'));
    await handle(status('SM1', 'delivered'));
    await handle(status('SM2', 'undelivered', FAILURE));
    await handle(status('SM2', 'undelivered', FAILURE));
    expect(recorded.map(([, s]) => [s.messageId, s.status])).toEqual([
      ['SM1', 'delivered'],
      ['SM2', 'undelivered'],
    ]);
    expect(deadLettered).toEqual([['SM2', FAILURE]]);
    expect(logs.filter((l) => l.msg === 'repeated delivery status ignored')).toHaveLength(2);
    expect(logs.find((l) => l.level === 'warn')).toMatchObject({
      msg: 'Twilio reports a message not delivered: kept in the dead-letter list',
      messageId: 'SM2',
      platformCode: 30003,
    });
  });

  it('still dead-letters a failure when the event log cannot be written, logging that with err', async () => {
    const { handle, deadLettered, logs } = setup({ recordFails: true });
    await expect(handle(status('SM3', 'failed', FAILURE))).resolves.toBeUndefined();
    expect(deadLettered).toEqual([['SM3', FAILURE]]);
    expect(logs.find((l) => l.level === 'error')).toMatchObject({
      msg: 'Twilio delivery status not recorded',
      messageId: 'SM3',
      err: { message: 'store command timed out' },
    });
  });

  it('still records the status when the dead letter cannot be written, logging that with err', async () => {
    const { handle, recorded, logs } = setup({ reportFails: true });
    await expect(handle(status('SM4', 'failed', FAILURE))).resolves.toBeUndefined();
    expect(recorded.map(([, s]) => s.messageId)).toEqual(['SM4']);
    expect(logs.find((l) => l.level === 'error')).toMatchObject({
      msg: 'Twilio delivery failure not dead-lettered',
      messageId: 'SM4',
      err: { message: 'dead-letter store down' },
    });
  });
});
