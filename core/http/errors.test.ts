import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { AuthError, RateLimitError, UnavailableError, UpstreamError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { errorHandler } from './errors.ts';

function appThrowing(error: unknown) {
  const logs: Record<string, unknown>[] = [];
  const app = new Hono();
  app.onError(errorHandler(createLogger('debug', {}, (line) => logs.push(JSON.parse(line)))));
  app.use('*', async (c, next) => {
    c.header('x-set-before', 'kept');
    await next();
  });
  app.get('/', () => {
    throw error;
  });
  return { app, logs };
}

describe('errorHandler', () => {
  it('answers an OmnibotError with its own response, keeping headers set before it', async () => {
    const { app, logs } = appThrowing(new RateLimitError('too many messages', 2_500));
    const response = await app.request('/');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('x-set-before')).toBe('kept');
    expect(await response.json()).toEqual({
      error: 'rate_limited',
      message: 'too many messages',
      details: { retryAfterMs: 2_500 },
    });
    expect(logs.find((l) => l.msg === 'request failed')).toMatchObject({ code: 'rate_limited', status: 429 });
  });

  it('answers a store outage with 503 and Retry-After, never a 500', async () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const response = await appThrowing(outage).app.request('/');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toMatchObject({ error: 'store_unavailable' });
  });

  it('answers anything else with a bare 500, its text only in the log (as err)', async () => {
    const { app, logs } = appThrowing(new TypeError('secret internals'));
    const response = await app.request('/');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal_error', message: 'internal error' });
    expect(logs.find((l) => l.msg === 'unhandled error')?.err).toMatchObject({ message: 'secret internals' });
  });

  it('logs refusals at info, errors that say when to retry at warn, other server errors at error', async () => {
    const levelFor = async (error: Error) => {
      const { app, logs } = appThrowing(error);
      await app.request('/');
      return logs.find((l) => l.msg === 'request failed')?.level;
    };
    expect(await levelFor(new AuthError('X-Hub-Signature-256 does not match the body'))).toBe('info');
    expect(await levelFor(new RateLimitError('too many messages', 1_000))).toBe('info');
    expect(await levelFor(new UnavailableError('unavailable', 'store down'))).toBe('warn');
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    expect(await levelFor(outage)).toBe('warn');
    expect(await levelFor(new UpstreamError('cmms', 'CMMS answered 500'))).toBe('error');
  });
});
