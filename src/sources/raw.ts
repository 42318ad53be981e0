import { z } from 'zod';
import { DTYPES, itemSizeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import { defineStage } from '../core/stage.ts';
import type { RecordsLayout } from '../io/table-reader.ts';
import { fileSourceFields, openTableFile } from '../adapters/file-params.ts';

const params = z
  .object({
    ...fileSourceFields,
    dtype: z.enum(DTYPES).describe('Element type of every value (numpy names: int16, float32, ...).'),
    endian: z.enum(['little', 'big']).default('little').describe('Byte order of the values in the file.'),
    offset: z.number().int().min(0).default(0).describe('Bytes to skip at the start of the file (a header).'),
    length: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Rows in the file after offset. Default: every whole row up to the end of the file.'),
    channels: z
      .array(z.string().min(1))
      .min(1)
      .refine((names) => new Set(names).size === names.length, 'channel names must be unique')
      .default(['value'])
      .describe('Column names of the interleaved channels, in file order: each row holds one value of each.'),
  })
  .strict()
  .describe(
    'Reads headerless binary samples: one dtype, one or more interleaved channels, either byte order.',
  );

export type RawParams = z.output<typeof params>;

export default defineStage({
  name: 'raw',
  kind: 'source',
  params,
  extensions: ['.raw', '.bin', '.dat'],
  inputs: (p) => [p.path],
  create: (p, ctx) => {
    const layout = rawLayout(p);
    return openTableFile(p, ctx, (file) => {
      const totalRows = rawRowCount(p, file.size);
      const details = {
        dtype: p.dtype,
        byteOrder: itemSizeOf(p.dtype) === 1 ? 'none' : p.endian,
        channels: p.channels,
        dataOffset: p.offset,
        rowBytes: layout.recordSize,
        totalRows,
      };
      return { format: 'raw', layout, totalRows, details };
    });
  },
});

/** Interleaved channels: row r holds one value of each channel, in order. */
export function rawLayout(p: Pick<RawParams, 'dtype' | 'endian' | 'offset' | 'channels'>): RecordsLayout {
  const size = itemSizeOf(p.dtype);
  const fields = p.channels.map((name, i) => ({
    name,
    dtype: p.dtype,
    littleEndian: p.endian === 'little',
    width: 1,
    offset: i * size,
  }));
  return { kind: 'records', dataOffset: p.offset, recordSize: size * p.channels.length, fields };
}

/**
 * Rows in the file: `length` when given (it must fit), else every whole row after `offset`;
 * a partial last row without `length` is a SIZE_MISMATCH naming the remainder.
 */
export function rawRowCount(
  p: Pick<RawParams, 'path' | 'dtype' | 'offset' | 'length' | 'channels'>,
  fileSize: number,
): number {
  const rowBytes = itemSizeOf(p.dtype) * p.channels.length;
  const dataBytes = fileSize - p.offset;
  const where = { path: p.path, offset: Math.min(p.offset, fileSize) };
  if (dataBytes < 0) {
    throw new SluiceError(
      'SIZE_MISMATCH',
      `${p.path}: offset ${p.offset} is beyond the file's ${fileSize} bytes`,
      {
        ...where,
        hint: 'lower offset',
      },
    );
  }
  if (p.length !== undefined) {
    if (p.length * rowBytes > dataBytes) {
      throw new SluiceError(
        'SIZE_MISMATCH',
        `${p.path}: length ${p.length} rows needs ${p.length * rowBytes} bytes after offset ${p.offset}, the file has ${dataBytes}`,
        {
          ...where,
          hint: `at most ${Math.floor(dataBytes / rowBytes)} rows fit; check length, offset and dtype`,
        },
      );
    }
    return p.length;
  }
  const remainder = dataBytes % rowBytes;
  if (remainder !== 0) {
    const rows = Math.floor(dataBytes / rowBytes);
    throw new SluiceError(
      'SIZE_MISMATCH',
      `${p.path}: ${dataBytes} bytes after offset ${p.offset} are not whole rows of ${rowBytes} bytes (${remainder} bytes remain)`,
      {
        path: p.path,
        offset: p.offset + rows * rowBytes,
        hint: `check dtype and channels; set length: ${rows} to ignore the last ${remainder} bytes, or offset to skip a header`,
      },
    );
  }
  return dataBytes / rowBytes;
}
