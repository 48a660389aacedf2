import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import { startOrderNotifications } from '../../core/notify/index.ts';
import { until } from './support.ts';

describe('NOTIFY_POLL_INTERVAL_MS', () => {
  it('defaults to a minute; 0 turns the poller off', () => {
    expect(loadConfig({}).notifyPollIntervalMs).toBe(60_000);
    expect(loadConfig({ NOTIFY_POLL_INTERVAL_MS: '0' }).notifyPollIntervalMs).toBe(0);
    expect(loadConfig({ NOTIFY_POLL_INTERVAL_MS: '2500' }).notifyPollIntervalMs).toBe(2_500);
  });

  it('refuses what is no interval, naming the variable', () => {
    for (const value of ['abc', '-1', '1.5', '50']) {
      expect(() => loadConfig({ NOTIFY_POLL_INTERVAL_MS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ NOTIFY_POLL_INTERVAL_MS: value })).toThrow(/NOTIFY_POLL_INTERVAL_MS/);
    }
  });
});

describe('which gateway polls', () => {
  /** Starts the notifications as the gateway does, over a CMMS that counts how often it is listed. */
  function start(kind: 'local' | 'airflow', notifyPollIntervalMs: number) {
    const cmms = {
      listed: 0,
      async listWorkOrderRecords() {
        cmms.listed++;
        return [];
      },
    };
    const app = new Hono();
    const notifier = startOrderNotifications({
      app,
      config: { callbackSecret: 's', notifyPollIntervalMs, redisKeyPrefix: 'unused:' },
      logger: silentLogger,
      runtime: { notifyOrderChange: async () => null, track: () => undefined },
      identity: { conversationsOf: async () => [] },
      cmms,
      runner: { kind },
    });
    return { app, cmms, notifier };
  }

  it('polls with the embedded runner, and never with Airflow (the DAG does) nor when turned off', async () => {
    const embedded = start('local', 100);
    const airflow = start('airflow', 100);
    const off = start('local', 0);
    await until(
      async () => embedded.cmms.listed,
      (n) => n >= 3,
    );
    await Promise.all([embedded, airflow, off].map(({ notifier }) => notifier.stop()));
    expect(embedded.cmms.listed).toBeGreaterThanOrEqual(3);
    expect(airflow.cmms.listed).toBe(0);
    expect(off.cmms.listed).toBe(0);
    // The route is there in every case: the DAG posts to it.
    for (const { app } of [embedded, airflow, off]) {
      expect((await app.request('/api/bot/notify', { method: 'POST', body: '{}' })).status).not.toBe(404);
    }
  });
});
