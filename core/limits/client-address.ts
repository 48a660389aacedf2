import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The client's address: the socket's peer, or, behind `trustedHops` reverse proxies, the entry of
 * `X-Forwarded-For` the outermost trusted proxy wrote (entries further left are client-supplied and
 * could be forged). IPv4-mapped IPv6 addresses are shown as IPv4.
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  let address = remoteAddress ?? 'unknown';
  if (trustedHops > 0 && forwardedFor) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    // Fewer entries than trusted proxies: the request did not come through them all; keep the peer.
    const entry = hops.length >= trustedHops ? hops[hops.length - trustedHops] : undefined;
    if (entry) address = entry;
  }
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function addressOfIncoming(request: IncomingMessage, trustedHops: number): string {
  return clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], trustedHops);
}

/** The address of a Hono request served by `@hono/node-server` (undefined elsewhere, e.g. `app.request()`). */
export function addressOfContext(c: Context, trustedHops: number): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming ? addressOfIncoming(incoming, trustedHops) : undefined;
}
