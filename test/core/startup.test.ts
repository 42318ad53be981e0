/**
 * Every CLI command and every shard worker imports the stage registry, so importing it must
 * stay light: the WASM and native libraries (h5wasm, parquet-wasm, apache-arrow, resvg) load
 * only when a stage that needs them is created (src/io/lazy.ts). Importing h5wasm alone took
 * the process to ~680 MB RSS; without these libraries it is ~100 MB.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const stagesUrl = new URL('../../src/stages.ts', import.meta.url).href;

describe('importing the stage registry', () => {
  it('stays under 200 MB RSS (no WASM or native library is loaded)', async () => {
    const script = `const { allStages } = await import(${JSON.stringify(stagesUrl)});
console.log(JSON.stringify({ stages: allStages.length, rss: process.memoryUsage().rss }));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: root },
    );
    const { stages, rss } = JSON.parse(stdout) as { stages: number; rss: number };
    expect(stages).toBeGreaterThan(0);
    expect(rss / 2 ** 20).toBeLessThan(200);
  });
});
