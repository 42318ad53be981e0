/** What a run reports about the process: sluice's version and the most memory it held. */
import { readFileSync } from 'node:fs';

/** sluice's version, from its package.json (src/ and dist/ sit at the same depth below it). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
}

/** The most memory this process has held so far (the kernel's high-water mark of its RSS). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
