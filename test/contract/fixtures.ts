import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The exact bytes of a recorded webhook body (signatures are computed over them). */
export function fixtureText(channel: string, name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${channel}/${name}`, import.meta.url)), 'utf8');
}

export function fixture<T = Record<string, unknown>>(channel: string, name: string): T {
  return JSON.parse(fixtureText(channel, name)) as T;
}
