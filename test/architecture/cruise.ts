import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The production sources, the roots of a cruise (test code is exempt, see .dependency-cruiser.cjs). */
export const PRODUCTION_ROOTS = [
  'app',
  'core',
  'lib',
  'language',
  'plugins',
  'machines',
  'workflows',
  'channels.ts',
  'main.ts',
];

/** A module's path, or `npm:<package>` for one under node_modules. */
function moduleName(path: string): string {
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return npm ? `npm:${npm[1]}` : path;
}

/** One violation on one line: `rule: from → to`, or the whole circle for circular imports. */
export function describeViolation(violation: IViolation): string {
  const path = violation.cycle?.length
    ? [violation.from, ...violation.cycle.map((step) => step.name)]
    : [violation.from, violation.to];
  return `${violation.rule.name}: ${path.map(moduleName).join(' → ')}`;
}

/**
 * Cruises `roots` (paths relative to `baseDir`) with the repository's rules and returns the
 * violations, one line each, sorted.
 */
export async function layerViolations(baseDir: string, roots: string[]): Promise<string[]> {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(join(ROOT, 'tsconfig.json'));
  const result = await cruise(roots, { ...options, baseDir, validate: true }, {}, { tsConfig });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map(describeViolation).sort();
}
