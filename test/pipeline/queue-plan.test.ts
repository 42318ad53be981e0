/**
 * Planning a run for the queue (docs/design.md §8): the run's id follows the spec and the input's
 * identity, the shards cover the rows once, the merge tree's nodes have at most `fanout`
 * children, and job ids are what BullMQ accepts.
 */
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFloat32Npy } from '../../bench/files.ts';
import { preparePlan, validateDefinition } from '../../src/pipeline/api.ts';
import type { PipelineDefinition } from '../../src/pipeline/api.ts';
import type { QueuePlanOptions } from '../../src/pipeline/queue-plan.ts';
import {
  defaultShardRows,
  jobIdOf,
  passTree,
  planQueueRun,
  taskDefinition,
} from '../../src/pipeline/queue-plan.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-queue-plan-'));
const input = join(dir, 'x.npy');
writeFloat32Npy(input, 4 * 10_007);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEFINITION: PipelineDefinition = {
  source: { type: 'npy', path: input },
  sinks: [{ type: 'histogram', column: 'value', bins: 10, out: join(dir, 'h.json') }, { type: 'stats' }],
};

async function plan(definition = DEFINITION, options: QueuePlanOptions = { shardRows: 1000 }) {
  const prepared = await preparePlan(validateDefinition(definition));
  try {
    return planQueueRun(prepared, options);
  } finally {
    await prepared.source.close();
  }
}

describe('planQueueRun', () => {
  it('names the run by the spec, the input and the cuts', async () => {
    const a = await plan();
    expect(a.id).toMatch(/^sl[0-9a-f]{20}$/);
    expect((await plan()).id).toBe(a.id);
    expect((await plan(DEFINITION, { shardRows: 999 })).id).not.toBe(a.id);
    expect((await plan({ ...DEFINITION, sinks: [{ type: 'stats' }] })).id).not.toBe(a.id);
    // Overwriting does not change what is computed.
    expect((await plan(DEFINITION, { shardRows: 1000, overwrite: true })).id).toBe(a.id);
    utimesSync(input, new Date(), new Date(Date.now() + 5000));
    expect((await plan()).id).not.toBe(a.id);
  });

  it('records the passes, the rows and absolute paths', async () => {
    const run = await plan(
      { ...DEFINITION, source: { type: 'npy', path: input, startRow: 7 } },
      { shardRows: 1000, cwd: '/' },
    );
    expect(run).toMatchObject({
      passes: 2,
      startRow: 7,
      endRow: 10_007,
      origin: 7,
      shardRows: 1000,
      fanout: 32,
    });
    expect(run.outputs).toEqual([join(dir, 'h.json')]);
    // Shards name no output file.
    expect(run.shardSinks[0]).not.toHaveProperty('out');
    expect(taskDefinition(run, { startRow: 1007, endRow: 2007 }).source).toMatchObject({
      startRow: 1007,
      endRow: 2007,
      origin: 7,
    });
  });

  it('takes about 256 MiB of input per shard by default', () => {
    expect(defaultShardRows(2 ** 30, 4 * 2 ** 30)).toBe(2 ** 26);
    expect(defaultShardRows(10, 10 * 2 ** 30)).toBe(1);
  });
});

describe('passTree and job ids', () => {
  it('covers the rows once; merge nodes have at most fanout children, in row order', async () => {
    const run = { ...(await plan()), fanout: 3 };
    const tree = passTree(run, 2);
    expect(tree.shards).toHaveLength(11);
    expect(tree.shards[0]).toEqual({ name: 'rows-0-1000', startRow: 0, endRow: 1000 });
    expect(tree.shards.at(-1)).toEqual({ name: 'rows-10000-10007', startRow: 10000, endRow: 10007 });
    expect(tree.levels.map((level) => level.length)).toEqual([4, 2]);
    expect(tree.levels[0][0]).toEqual({
      name: 'merge1-0-3000',
      level: 1,
      children: ['rows-0-1000', 'rows-1000-2000', 'rows-2000-3000'],
    });
    expect(tree.rootChildren).toEqual(['merge2-0-9000', 'merge2-9000-10007']);
    for (const level of tree.levels)
      for (const node of level) expect(node.children.length).toBeLessThanOrEqual(3);
  });

  it('job ids have no colon and are never integers', async () => {
    const run = await plan();
    for (const node of ['root', 'rows-0-1000', 'merge1-0-3000']) {
      const id = jobIdOf(run, 2, node);
      expect(id).not.toContain(':');
      expect(Number.isNaN(Number(id))).toBe(true);
      expect(id.startsWith(run.id)).toBe(true);
    }
  });
});
