import { groupPrefix } from '../redis-keys.ts';

/**
 * The notifier's keys: the seen hash (`<prefix>notify:seen`) and the poller's lease
 * (`<prefix>notify:poller`). The seen store's RECORD script checks the lease while it writes, so on a
 * cluster both carry one hash tag (`<prefix>{notify}notify:…`).
 */
export function notifyKeys(prefix: string, cluster = false): { seen: string; poller: string } {
  const group = groupPrefix(prefix, 'notify', cluster);
  return { seen: `${group}notify:seen`, poller: `${group}notify:poller` };
}
