import { UnavailableError } from '../errors.ts';

/** How soon a client should retry after a store outage (Redis reconnects within about a second). */
export const OUTAGE_RETRY_AFTER_MS = 2_000;

/**
 * ioredis's own errors when Redis cannot answer (down, stalled, restarting), by message; then its
 * Cluster client's (no node or slot map reachable, a master down, a failover under way).
 */
const CONNECTION_MESSAGES = [
  'Command timed out',
  'Connection is closed.',
  "Stream isn't writeable",
  "Cluster isn't ready",
  'None of startup nodes is available',
  'Too many Cluster redirections',
  'Cluster is disconnected',
  'Node is disconnected',
  'Failed to refresh slots cache',
];
/** Redis replies that mean "not now" (loading its data, a busy script, a failover), not a bad command. */
const TRANSIENT_REPLIES = ['LOADING', 'BUSY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN', 'READONLY'];
/** Socket errors: the store (or another dependency) is not reachable. */
const SOCKET_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN'];

/** True when `error` (or one of its causes) says the store is unreachable or stalled right now. */
export function isStoreOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const { name, message } = current;
    const code = (current as { code?: unknown }).code;
    if (name === 'MaxRetriesPerRequestError') return true;
    if (CONNECTION_MESSAGES.some((text) => message.startsWith(text))) return true;
    if (name === 'ReplyError' && TRANSIENT_REPLIES.some((reply) => message.startsWith(reply))) return true;
    if (typeof code === 'string' && SOCKET_CODES.includes(code)) return true;
    current = current.cause;
  }
  return false;
}

/** The 503 (with Retry-After) that a store outage answers, or undefined for any other error. */
export function asUnavailable(error: unknown): UnavailableError | undefined {
  if (!isStoreOutage(error)) return undefined;
  return new UnavailableError(
    'store_unavailable',
    'the conversation store is not reachable right now; retry shortly',
    OUTAGE_RETRY_AFTER_MS,
  );
}
