import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_ROOTS, ROOT } from './cruise.ts';

// The production image runs the sources as they are: a folder left out of it is a gateway that cannot start.
describe('Dockerfile', () => {
  it('copies every production folder and file into the image', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const copied = dockerfile
      .split('\n')
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.slice('COPY '.length).trim().split(/\s+/).slice(0, -1));
    expect(PRODUCTION_ROOTS.filter((root) => !copied.includes(root))).toEqual([]);
  });
});
