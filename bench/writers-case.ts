/**
 * One writer over N synthetic rows (6 float32 columns, 1 int32), in batches of 1 Mi rows,
 * in its own process so its peak RSS is its own. Prints one JSON line: seconds spent in the
 * sink's calls (making the synthetic batches is not timed), output bytes, peak RSS. Usage: tsx bench/writers-case.ts <sink> <rows> <out>
 */
import { statSync } from 'node:fs';
import type { Batch } from '../src/core/batch.ts';
import type { Schema } from '../src/core/schema.ts';
import type { SinkStage } from '../src/core/stage.ts';

const [name, rowsText, out, extra] = process.argv.slice(2);
const rows = Number(rowsText);
const CHUNK = 1 << 20;
const names = ['x', 'y', 'z', 'mc', 'hv', 'tof', 'ipp'];
const schema: Schema = {
  columns: names.map((n, i) => ({ name: n, dtype: i < 6 ? 'float32' : 'int32', width: 1 })),
};
// One set of buffers refilled per batch, as a source reusing its buffers does.
const buffers = names.map((_, i) => (i < 6 ? new Float32Array(CHUNK) : new Int32Array(CHUNK)));

function fill(start: number, n: number): Batch {
  for (let c = 0; c < 6; c++) {
    const a = buffers[c] as Float32Array;
    for (let i = 0; i < n; i++) a[i] = ((start + i) % 9973) * 0.37 + c;
  }
  const k = buffers[6] as Int32Array;
  for (let i = 0; i < n; i++) k[i] = (start + i) % 1000;
  const columns = Object.fromEntries(
    names.map((nm, c) => [nm, { data: buffers[c].subarray(0, n), width: 1 }]),
  );
  return { schema, columns, rows: n, start, history: 0 };
}

// The stage's own module only: importing every stage would load wasm modules the writer never uses.
const stage = ((await import(`../src/sinks/${name}.ts`)) as { default: SinkStage }).default;
const params = stage.params.parse({ out, ...(extra ? (JSON.parse(extra) as object) : {}) });
// The row count as the runner passes it when every step keeps rows (a file read as it is).
const ctx = { schema, signal: new AbortController().signal, log: () => {}, overwrite: true, rows };
let seconds = 0;
let t = performance.now();
const sink = await stage.create(params, ctx);
seconds += (performance.now() - t) / 1000;
for (let start = 0; start < rows; start += CHUNK) {
  const batch = fill(start, Math.min(CHUNK, rows - start));
  t = performance.now();
  await sink.write(batch);
  seconds += (performance.now() - t) / 1000;
}
t = performance.now();
await sink.finish();
seconds += (performance.now() - t) / 1000;
const outputs = stage.outputs(params);
const bytes = outputs.reduce((sum, p) => sum + statSync(p).size, 0);
console.log(JSON.stringify({ seconds, bytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
