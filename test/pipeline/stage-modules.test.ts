import { describe, expect, it } from 'vitest';
import { loadRegistry, loadStage, registryOf } from '../../src/pipeline/stage-modules.ts';
import { registryFor } from '../../src/pipeline/validate.ts';
import { registry } from '../../src/stages.ts';

describe('stage modules', () => {
  it('finds every registered stage, the very object the registry holds', async () => {
    for (const stage of registry.list()) {
      expect(await loadStage(stage.name, stage.kind)).toBe(stage);
    }
    expect(await loadStage('no-such-stage', 'sink')).toBeUndefined();
    expect(await loadRegistry()).toBe(registry);
  });

  it('gives the named stages alone when each loads alone, else the full registry', async () => {
    const alone = await registryOf([
      { name: 'npy', kind: 'source' },
      { name: 'stats', kind: 'sink' },
      { name: 'stats', kind: 'sink' },
      { name: 'npy', kind: 'sink' },
    ]);
    expect(alone).not.toBe(registry);
    expect(alone.list().map((s) => `${s.kind}:${s.name}`)).toEqual(['source:npy', 'sink:stats', 'sink:npy']);
    expect(alone.get('stats', 'sink')).toBe(registry.get('stats', 'sink'));
    // plot is built around the sinks it draws; a misspelt name and a sink as a source need every name.
    expect(await registryOf([{ name: 'plot', kind: 'sink' }])).toBe(registry);
    expect(await registryOf([{ name: 'stast', kind: 'sink' }])).toBe(registry);
    expect(await registryOf([{ name: 'stats', kind: 'source' }])).toBe(registry);
    expect(await registryOf([{ name: '../sinks/stats', kind: 'sink' }])).toBe(registry);
  });

  it('reads the stages a spec names as validation does', async () => {
    const spec = {
      source: { type: 'npy', path: 'x.npy' },
      steps: [{ type: 'derive', name: 'd', expr: 'value * 2' }, { notype: 1 }],
      sinks: [{ type: 'stats' }, 'histogram'],
    };
    const found = await registryFor({ value: spec });
    expect(found.list().map((s) => `${s.kind}:${s.name}`)).toEqual([
      'source:npy',
      'transform:derive',
      'sink:stats',
    ]);
    expect(await registryFor({ value: { source: { type: 'npy' }, sinks: [{ type: 'plot' }] } })).toBe(
      registry,
    );
    expect((await registryFor({ value: 'not a spec' })).list()).toEqual([]);
  });
});
