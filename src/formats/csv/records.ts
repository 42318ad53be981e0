/**
 * Where a CSV file's records start, found without parsing fields: a byte scan that follows the
 * quotes (a newline inside a quoted field is no record end) and skips empty lines, as
 * csv-parse does with the options reader.ts gives it (records end at \n or \r\n). It counts the
 * records and keeps the offset of every INDEX_EVERY-th, so that opening a file costs one fast
 * pass and a row range is parsed from the nearest indexed record on. csv-parse still parses
 * every field, and a file it reads differently (a stray quote) fails there.
 */
import type { FileHandle } from 'node:fs/promises';
import { readFullyAt } from '../../io/positioned-read.ts';
import { openForReading } from '../../io/open.ts';

/** A record offset is kept for every this many records. */
export const INDEX_EVERY = 4096;
const READ_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const CR = 0x0d;

export interface RecordIndex {
  /** Bytes in the file. */
  readonly bytes: number;
  /** Data records (the header excluded). */
  readonly records: number;
  /** Byte offset of data record k·INDEX_EVERY, k = 0, 1, … */
  readonly offsets: readonly number[];
}

/** Scans `path`: its data records (after a header record when `header`) and their index. */
export async function indexRecords(path: string, quote: string, header: boolean): Promise<RecordIndex> {
  const handle = await openForReading(path);
  try {
    const size = (await handle.stat()).size;
    return await scan(handle, path, size, quote.charCodeAt(0), header);
  } finally {
    await handle.close();
  }
}

async function scan(
  handle: FileHandle,
  path: string,
  size: number,
  quote: number,
  header: boolean,
): Promise<RecordIndex> {
  const buffer = new Uint8Array(Math.min(READ_BYTES, Math.max(1, size)));
  const offsets: number[] = [];
  let records = 0;
  let headerLeft = header;
  let inQuote = false;
  let content = false;
  let start = 0;
  const end = (next: number) => {
    if (content) {
      if (headerLeft) headerLeft = false;
      else {
        if (records % INDEX_EVERY === 0) offsets.push(start);
        records++;
      }
    }
    content = false;
    start = next;
  };
  for (let at = 0; at < size;) {
    const length = Math.min(buffer.length, size - at);
    const bytes = buffer.subarray(0, length);
    await readFullyAt(handle, bytes, at, path);
    // A UTF-8 byte order mark before the first record belongs to no field.
    const from = at === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    for (let i = from; i < length; i++) {
      const b = bytes[i];
      if (b === quote) {
        inQuote = !inQuote;
        content = true;
      } else if (b === NEWLINE && !inQuote) end(at + i + 1);
      else if (b !== CR) content = true;
    }
    at += length;
  }
  end(size);
  return { bytes: size, records, offsets };
}
