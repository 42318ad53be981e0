/**
 * Expected outputs under test/fixtures/golden/<stage>/, made by committed scripts (never by
 * the code under test) and regenerated only on purpose (UPDATE_GOLDEN=1).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/golden', import.meta.url));

export function goldenPath(stage: string, file: string): string {
  return join(GOLDEN_DIR, stage, file);
}

/** The case names (JSON files without extension) of one stage's goldens, sorted. */
export function goldenCases(stage: string): string[] {
  return readdirSync(join(GOLDEN_DIR, stage))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** A golden JSON file, parsed; the caller states its shape. */
export function readGolden<T>(stage: string, name: string): T {
  return JSON.parse(readFileSync(goldenPath(stage, `${name}.json`), 'utf8')) as T;
}
