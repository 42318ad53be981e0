import { describe, expect, it } from 'vitest';
import type { DType } from '../../../src/core/dtype.ts';
import type { AptColumnSection } from '../../../src/formats/apt/header.ts';
import { toColumnSection } from '../../../src/formats/apt/header.ts';
import { chooseColumns, columnNamesOf } from '../../../src/formats/apt/reader.ts';
import { splitColumn } from '../../../src/formats/apt/split-sections.ts';

function section(type: string, dtype: DType, width: number, unit = ''): AptColumnSection {
  const bits = dtype.endsWith('64') ? 64 : 32;
  return {
    type,
    offset: 540,
    headerSize: 148,
    version: 2,
    sectionVersion: 1,
    relationship: 1,
    recordType: 1,
    recordDataType: dtype.startsWith('float') ? 3 : dtype.startsWith('u') ? 2 : 1,
    dataTypeBits: bits,
    recordSize: (bits / 8) * width,
    unit,
    recordCount: 10,
    byteCount: 10 * (bits / 8) * width,
    dataOffset: 688,
    dtype,
    width,
  };
}

describe('APT columns', () => {
  it.each([
    ['Mass', 1, ['m/n (Da)']],
    ['Position', 3, ['x (nm)', 'y (nm)', 'z (nm)']],
    ['Detector Coordinates', 2, ['det_x (mm)', 'det_y (mm)']],
    ['Multiplicity', 1, ['Multiplicity']],
    ['Position', 2, ['Position[0]', 'Position[1]']],
  ])('%s of width %i gives %j', (type, width, names) => {
    expect(columnNamesOf({ type, width })).toEqual(names);
  });

  const sections = [section('Position', 'float32', 3, 'nm'), section('Multiplicity', 'uint32', 1)];

  it('gives every value of every section by default, with its unit', () => {
    const all = chooseColumns(sections, undefined, 'f.apt');
    expect(all.map((o) => [o.name, o.section, o.index, o.width])).toEqual([
      ['x (nm)', 'Position', 0, 3],
      ['y (nm)', 'Position', 1, 3],
      ['z (nm)', 'Position', 2, 3],
      ['Multiplicity', 'Multiplicity', 0, 1],
    ]);
    expect(all[0].schema).toEqual({ name: 'x (nm)', dtype: 'float32', width: 1, unit: 'nm' });
    expect(all[3].schema).toEqual({ name: 'Multiplicity', dtype: 'uint32', width: 1 });
  });

  it('gives the columns asked for, in that order, and refuses unknown ones', () => {
    expect(chooseColumns(sections, ['z (nm)', 'Multiplicity'], 'f.apt').map((o) => o.name)).toEqual([
      'z (nm)',
      'Multiplicity',
    ]);
    expect(() => chooseColumns(sections, ['w (nm)'], 'f.apt')).toThrow(
      expect.objectContaining({ code: 'COLUMN_UNKNOWN' }),
    );
  });

  it('refuses two sections giving one column', () => {
    expect(() => chooseColumns([sections[1], sections[1]], undefined, 'f.apt')).toThrow(
      expect.objectContaining({ code: 'FORMAT_UNSUPPORTED' }),
    );
  });

  it('types sections by record data type and bits, or says why not', () => {
    const base = section('Mass', 'float32', 1);
    expect(
      toColumnSection({ ...base, recordDataType: 1, dataTypeBits: 16, recordSize: 2, byteCount: 20 }, 10),
    ).toMatchObject({ dtype: 'int16', width: 1 });
    expect(
      toColumnSection({ ...base, recordDataType: 2, dataTypeBits: 64, recordSize: 16, byteCount: 160 }, 10),
    ).toMatchObject({ dtype: 'uint64', width: 2 });
    expect(toColumnSection({ ...base, recordDataType: 3, dataTypeBits: 16 }, 10)).toBe(
      'record data type 3 of 16 bits',
    );
    expect(toColumnSection({ ...base, recordDataType: 4 }, 10)).toBe('record data type 4 of 32 bits');
  });
});

describe('splitColumn', () => {
  it('takes value `index` of each width-k record', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const schema = { name: 'y (nm)', dtype: 'float32' as const, width: 1 };
    const out = splitColumn({ data, width: 3 }, 3, { index: 1, width: 3, schema });
    expect(out.width).toBe(1);
    expect([...out.data]).toEqual([2, 5, 8]);
  });

  it('passes a width-1 column through', () => {
    const column = { data: Uint32Array.from([1, 2]), width: 1 };
    const schema = { name: 'Multiplicity', dtype: 'uint32' as const, width: 1 };
    expect(splitColumn(column, 2, { index: 0, width: 1, schema })).toBe(column);
  });
});
