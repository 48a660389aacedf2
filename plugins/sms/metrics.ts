import { Counter } from 'prom-client';
import { metricsRegistry } from '../../core/metrics/registry.ts';

/** Each SMS segment is billed: the count by encoding shows what accents and emoji cost (SMS_GSM7_FOLD). */
export const smsSegments = new Counter({
  name: 'omnibot_sms_segments_total',
  help: 'SMS segments accepted by Twilio for sending (each one billed), by encoding (GSM-7, UCS-2)',
  labelNames: ['encoding'] as const,
  registers: [metricsRegistry],
});
