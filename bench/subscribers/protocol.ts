/**
 * What the subscribers bench (bench/subscribers.ts) and its child processes say to each other over the
 * IPC channel of `fork`, and the clock they share.
 *
 * The gateway child publishes the text `bench <seq> <publish time>` (see `clock`); a client's latency is
 * its receive time minus that publish time.
 */

export type ToGateway =
  | { type: 'memory' }
  | { type: 'publish'; conversationId: string; seq: number }
  | { type: 'profile'; start: boolean }
  | { type: 'cpu' }
  | { type: 'stop' };
export type FromGateway =
  | { type: 'ready'; url: string }
  | { type: 'memory'; rss: number; heapUsed: number }
  | { type: 'profiled' }
  | { type: 'cpu'; micros: number }
  | { type: 'error'; message: string };

export type ToClients =
  | { type: 'connect'; wsUrl: string; token: string; conversationId: string; count: number; concurrency: number }
  | { type: 'expect'; seq: number }
  | { type: 'report'; seq: number }
  | { type: 'cpu' }
  | { type: 'stop' };
export type FromClients =
  | { type: 'connected' }
  | { type: 'live' }
  | { type: 'round'; seq: number; latencies: number[] }
  | { type: 'cpu'; micros: number }
  | { type: 'error'; message: string };

/** Milliseconds on the machine's wall clock, with sub-millisecond resolution, comparable across processes. */
export const clock = () => performance.timeOrigin + performance.now();
