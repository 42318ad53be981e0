/**
 * A wrapped accumulator shards like a bare one: `plot` of `welch` (as demo.yaml and welch.yaml
 * use it) runs its main pass on the threads `--workers` asks for, the shards run the welch it
 * wraps, and the result (and the picture) is the one-thread one. Titles name the actual input.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import { shardSinkRef } from '../../src/pipeline/sharded.ts';
import type { SinkStage } from '../../src/core/stage.ts';
import { registry } from '../../src/stages.ts';
import { runBin } from '../support/cli.ts';

const SPECTRAL = 'test/fixtures/npy/spectral-f32.npy';
const dir = mkdtempSync(join(tmpdir(), 'sluice-sharded-plot-'));

describe('plot of welch on worker threads', () => {
  it('a shard runs the welch a plot wraps, without any output', () => {
    const plot = registry.get('plot', 'sink') as SinkStage;
    const params = plot.params.parse({ of: { type: 'welch', nperseg: 256, out: 'psd.npy' }, out: 'psd.svg' });
    expect(shardSinkRef({ stage: plot, params: params as Record<string, unknown> })).toMatchObject({
      type: 'welch',
      nperseg: 256,
    });
    expect(shardSinkRef({ stage: plot, params: params as Record<string, unknown> })).not.toHaveProperty(
      'out',
    );
  });

  it('--workers shards it, and the result equals one thread', async () => {
    const log: string[] = [];
    const sinks = (name: string) => [
      { type: 'plot', of: { type: 'welch', nperseg: 256, average: 'median' }, out: join(dir, `${name}.svg`) },
    ];
    const source = { type: 'npy', path: SPECTRAL, chunkRows: 1000 };
    const serial = await run({ source, sinks: sinks('serial') }, { workers: 1 });
    const sharded = await run({ source, sinks: sinks('sharded') }, { workers: 3, log: (m) => log.push(m) });
    expect(log.some((m) => m.startsWith('main pass on 3 threads'))).toBe(true);
    const [a, b] = [sharded.sinks[0].result, serial.sinks[0].result] as { psd: number[]; segments: number }[];
    expect(a.segments).toBe(b.segments);
    a.psd.forEach((v, k) => expect(Math.abs(v - b.psd[k])).toBeLessThanOrEqual(1e-12 * Math.abs(b.psd[k])));
  });

  it('welch.yaml through the CLI: --workers 2 shards it, and its title names the input given with --set', async () => {
    const result = await runBin([
      'run',
      'pipelines/welch.yaml',
      '--set',
      `source.path=${resolve(SPECTRAL)}`,
      '--set',
      `sinks[0].out=${dir}/psd.svg`,
      '--set',
      `sinks[0].of.out=${dir}/psd.npy`,
      '--set',
      'sinks[0].of.nperseg=256',
      '--set',
      'sinks[0].of.noverlap=128',
      '--workers',
      '2',
      '--verbose',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/main pass on 2 threads/);
    const svg = readFileSync(join(dir, 'psd.svg'), 'utf8');
    expect(svg).toContain('Welch PSD of spectral-f32.npy');
    expect(svg).not.toContain('signal.npy');
  });
});
