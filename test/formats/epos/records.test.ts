import { describe, expect, it } from 'vitest';
import {
  bigEndianRecords,
  EPOS_FIELDS,
  fixedRecordTable,
  POS_FIELDS,
} from '../../../src/formats/epos/records.ts';

describe('EPOS and POS records', () => {
  it('lays out only the wanted fields, in the order asked', () => {
    const layout = bigEndianRecords(EPOS_FIELDS, ['ipp', 'x (nm)']);
    expect(layout).toEqual({
      kind: 'records',
      dataOffset: 0,
      recordSize: 44,
      fields: [
        { name: 'ipp', dtype: 'uint32', littleEndian: false, width: 1, offset: 40 },
        { name: 'x (nm)', dtype: 'float32', littleEndian: false, width: 1, offset: 0, unit: 'nm' },
      ],
    });
  });

  it('counts whole records and reports the trailing bytes', () => {
    const layout = bigEndianRecords(POS_FIELDS, undefined);
    const logged: string[] = [];
    const table = fixedRecordTable('a.pos', 16 * 5 + 3, layout, 'POS', 'warn', (m) => logged.push(m));
    expect(table.totalRows).toBe(5);
    expect(table.details).toEqual({ recordBytes: 16, byteOrder: 'big', totalRows: 5, trailingBytes: 3 });
    expect(logged).toEqual([
      'a.pos: 83 bytes are not whole 16-byte POS records (3 bytes remain after 5 records); ignoring the trailing 3 bytes',
    ]);
  });

  it('refuses a remainder unless told to warn', () => {
    const layout = bigEndianRecords(EPOS_FIELDS, undefined);
    expect(() => fixedRecordTable('a.epos', 45, layout, 'EPOS', 'error', () => {})).toThrow(
      expect.objectContaining({ code: 'SIZE_MISMATCH', offset: 44 }),
    );
  });
});
