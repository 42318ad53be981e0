/**
 * sluice's stages as Node streams: openSource (an object-mode Readable of batches, async-
 * iterable), openTransform (a Duplex) and openSink (a Writable whose `result` settles at the
 * end) compose with node:stream/promises' pipeline and with an app's own streams. Look-back is
 * asked of the source for the user; backpressure holds; an error anywhere rejects the pipeline
 * and releases every stage.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { openSink, openSource, openTransform, run } from '../../src/index.ts';
import type { Batch } from '../../src/index.ts';

const SIGNAL = 'test/fixtures/npy/f4-sine.npy';
const SPECTRAL = 'test/fixtures/npy/spectral-f32.npy';
const dir = mkdtempSync(join(tmpdir(), 'sluice-streams-'));

describe('openSource, openTransform, openSink', () => {
  it('compose with pipeline() and give what run() gives', async () => {
    const src = await openSource({ type: 'npy', path: SIGNAL, chunkRows: 1000 });
    const tr = openTransform({ type: 'derive', name: 'y', expr: 'value * 2' }, src.schema);
    const sk = openSink({ type: 'stats', columns: ['y'] }, tr.schema);
    expect(tr.schema.columns.map((c) => c.name)).toEqual(['value', 'y']);
    await pipeline(src, tr, sk);
    const result = await sk.result;
    const expected = await run({
      source: { type: 'npy', path: SIGNAL },
      steps: [{ type: 'derive', name: 'y', expr: 'value * 2' }],
      sinks: [{ type: 'stats', columns: ['y'] }],
    });
    expect(result).toEqual(expected.sinks[0].result);
    expect(result.columns.y.count + result.columns.y.nanCount).toBe(10007);
  });

  it('asks the source for the look-back the stages need: welch in small chunks equals run()', async () => {
    const src = await openSource({ type: 'npy', path: SPECTRAL, chunkRows: 100 });
    const sk = openSink({ type: 'welch', nperseg: 256 }, src.schema);
    await pipeline(src, sk);
    const expected = await run({
      source: { type: 'npy', path: SPECTRAL },
      sinks: [{ type: 'welch', nperseg: 256 }],
    });
    const [a, b] = [await sk.result, expected.sinks[0].result];
    expect(a.segments).toBe(b.segments);
    a.psd.forEach((v, k) => expect(Math.abs(v - b.psd[k])).toBeLessThanOrEqual(1e-12 * Math.abs(b.psd[k])));
  });

  it('a source is async-iterable', async () => {
    const src = await openSource({ type: 'npy', path: SIGNAL, chunkRows: 4096 });
    let rows = 0;
    for await (const batch of src as AsyncIterable<Batch>) rows += batch.rows - batch.history;
    expect(rows).toBe(10007);
    expect(src.destroyed).toBe(true);
  });

  it('mixes with an app’s own streams, and backpressure holds the source back', async () => {
    const src = await openSource({ type: 'npy', path: SIGNAL, chunkRows: 100 });
    let read = 0;
    let written = 0;
    let ahead = 0;
    const count = new Transform({
      objectMode: true,
      highWaterMark: 1,
      transform(batch: Batch, _e, callback) {
        read++;
        callback(null, batch);
      },
    });
    const slow = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(_batch: Batch, _e, callback) {
        written++;
        ahead = Math.max(ahead, read - written);
        setTimeout(callback, 2);
      },
    });
    await pipeline(src, count, slow);
    expect(written).toBe(101);
    // One batch in each stream's buffer and one in hand: never the whole file.
    expect(ahead).toBeLessThanOrEqual(4);
  });

  it('an error in any stage rejects the pipeline, closes the source and removes partial outputs', async () => {
    const src = await openSource({ type: 'npy', path: SIGNAL, chunkRows: 1000 });
    const out = join(dir, 'fail.json');
    const sk = openSink({ type: 'histogram', column: 'value', bins: 10, range: [-2, 2], out }, src.schema);
    let batches = 0;
    const failing = new Transform({
      objectMode: true,
      transform(batch: Batch, _e, callback) {
        callback(++batches === 3 ? new Error('the app failed') : null, batch);
      },
    });
    await expect(pipeline(src, failing, sk)).rejects.toThrow('the app failed');
    // The sink's result fails too, once its partial output is removed.
    await expect(sk.result).rejects.toThrow('the app failed');
    expect(src.destroyed).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses what it can tell before reading: params, columns, a second pass, a late stage', async () => {
    const src = await openSource({ type: 'npy', path: SIGNAL });
    expect(() => openTransform({ type: 'derive', name: 'y', expr: 'nothing * 2' }, src.schema)).toThrow(
      expect.objectContaining({ code: 'COLUMN_UNKNOWN' }),
    );
    expect(() => openSink({ type: 'histogram', column: 'value' }, src.schema)).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    // @ts-expect-error: not a param of stats
    expect(() => openSink({ type: 'stats', column: 'value' }, src.schema)).toThrow(
      expect.objectContaining({ code: 'PARAMS_INVALID' }),
    );
    src.read();
    await new Promise((r) => setImmediate(r));
    expect(() => openSink({ type: 'welch', nperseg: 64 }, src.schema)).toThrow(
      /after its source started reading/,
    );
    src.destroy();
  });
});
