import { describe, expect, it } from 'vitest';
import {
  InProgressError,
  OmnibotError,
  RateLimitError,
  UnavailableError,
  UpstreamError,
  ValidationError,
} from './errors.ts';
import { ClaimLostError } from './store/types.ts';
import { RunTakenOverError } from './workflows/run-registry.ts';

describe('errors carry their HTTP answer', () => {
  it('answers with the status and `{ error, message, details }`', async () => {
    const response = new ValidationError('user_id is required', { field: 'user_id' }).getResponse();
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      message: 'user_id is required',
      details: { field: 'user_id' },
    });
  });

  it('adds Retry-After in whole seconds, rounded up, when the error says how long to wait', async () => {
    const limited = new RateLimitError('slow down', 1_200).getResponse();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(new UnavailableError('store_unavailable', 'down', 10).getResponse().headers.get('retry-after')).toBe('1');
    expect(new InProgressError('busy').getResponse().status).toBe(409);
  });

  it('leaves details out of the body when there are none', async () => {
    const body = await new OmnibotError('teapot', 'short and stout', 418).getResponse().json();
    expect(body).toEqual({ error: 'teapot', message: 'short and stout' });
  });

  it('names each error after its class and keeps instanceof across the hierarchy', () => {
    const upstream = new UpstreamError('cmms', 'HTTP 502', { status: 502 });
    expect(upstream).toBeInstanceOf(OmnibotError);
    expect(upstream.name).toBe('UpstreamError');
    expect(upstream.getResponse().status).toBe(502);
  });

  it('takes in the store and workflow errors that used to stand alone', () => {
    const lost = new ClaimLostError('in:web:1:m1');
    expect(lost).toBeInstanceOf(ClaimLostError);
    expect(lost).toBeInstanceOf(OmnibotError);
    expect(lost).toMatchObject({ code: 'claim_lost', status: 409, name: 'ClaimLostError' });
    const takenOver = new RunTakenOverError('run-1');
    expect(takenOver).toBeInstanceOf(RunTakenOverError);
    expect(takenOver).toBeInstanceOf(OmnibotError);
    expect(takenOver).toMatchObject({ code: 'run_taken_over', status: 409 });
  });
});
