import { describe, expect, it } from 'vitest';
import { toArrowSchema } from '../../../src/formats/arrow/batch.ts';
import { toIpcStream } from '../../../src/formats/parquet/writer.ts';
import { loadArrow } from '../../../src/io/lazy.ts';

describe('toIpcStream', () => {
  it('is one IPC stream of the rows, in the scratch buffer when it fits', async () => {
    const arrow = await loadArrow();
    const column = { name: 'x', dtype: 'float64' as const, width: 1 };
    const schema = toArrowSchema(arrow, [column], { columns: [column] });
    const chunks = [{ column, data: new Float64Array([1.5, -2, 4]) }];
    const fresh = toIpcStream(arrow, schema, chunks, 3);
    expect(Array.from(arrow.tableFromIPC(fresh).getChild('x')!.toArray())).toEqual([1.5, -2, 4]);
    const scratch = new ArrayBuffer(fresh.byteLength + 64);
    const inScratch = toIpcStream(arrow, schema, chunks, 3, scratch);
    expect(inScratch.buffer).toBe(scratch);
    expect(inScratch).toEqual(fresh);
    expect(toIpcStream(arrow, schema, chunks, 3, new ArrayBuffer(8)).buffer).not.toBe(scratch);
  });
});
