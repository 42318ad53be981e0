/** sluice's version, from its package.json (src/ and dist/ sit at the same depth below it). */
import { readFileSync } from 'node:fs';

export function cliVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
}
