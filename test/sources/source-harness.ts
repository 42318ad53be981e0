/**
 * Helpers for source tests: build sources through the registry as the planner does, read
 * every batch, and compare columns by their bytes with the manifest make_fixtures.py wrote.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import { Registry } from '../../src/core/registry.ts';
import type { TypedArray } from '../../src/core/dtype.ts';
import { SluiceError } from '../../src/core/errors.ts';
import type { OpenSource, ReadOptions, SourceStage } from '../../src/core/stage.ts';
import { mmapAvailability } from '../../src/io/native.ts';
import { sources } from '../../src/sources/index.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const BACKENDS: ('read' | 'mmap')[] = mmapAvailability().available ? ['read', 'mmap'] : ['read'];

const registry = new Registry(sources);

export interface ColumnFacts {
  readonly dtype: string;
  readonly width: number;
  readonly sha256: string;
  /** Row index → the row's values: floats as Python repr ('nan'), integers as decimal strings. */
  readonly spots: Record<string, string[]>;
}

export interface FixtureFacts {
  readonly file: string;
  readonly stage: 'npy' | 'raw';
  readonly params: Record<string, unknown>;
  readonly rows: number;
  readonly columns: Record<string, ColumnFacts>;
}

export const manifest = JSON.parse(readFileSync(`${FIXTURES}sources-manifest.json`, 'utf8')) as Record<
  string,
  FixtureFacts
>;

export function fixture(rel: string): string {
  return FIXTURES + rel;
}

export function stageNamed(name: string): SourceStage {
  const stage = registry.get(name);
  if (stage?.kind !== 'source') throw new Error(`no source '${name}'`);
  return stage;
}

/** Parses YAML-shaped params with the stage's schema, then opens the source. */
export async function openSource(name: string, params: Record<string, unknown>): Promise<OpenSource> {
  const stage = stageNamed(name);
  const parsed: unknown = stage.params.parse(params);
  return stage.create(parsed, { signal: new AbortController().signal, log: () => {} });
}

/** Every batch of the source, closing it afterwards. */
export async function readAll(source: OpenSource, options: ReadOptions = { overlap: 0 }): Promise<Batch[]> {
  const batches: Batch[] = [];
  try {
    for await (const batch of source.batches(options)) batches.push(batch);
  } finally {
    await source.close();
  }
  return batches;
}

export async function readFixture(
  name: string,
  extra: Record<string, unknown>,
  options?: ReadOptions,
): Promise<Batch[]> {
  const facts = manifest[name];
  return readAll(
    await openSource(facts.stage, { ...facts.params, path: fixture(facts.file), ...extra }),
    options,
  );
}

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(data: TypedArray): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The values of any column array, as a plain array (bigints for 64-bit integers). */
export function valuesOf(data: TypedArray): (number | bigint)[] {
  return Array.from(data as Iterable<number | bigint>);
}

/** The new rows of every batch of one column, joined: a copy. */
export function joinNewRows(batches: readonly Batch[], column: string): Buffer {
  return Buffer.concat(
    batches.map((b) => {
      const { data, width } = b.columns[column];
      return bytesOf(data.subarray(b.history * width, b.rows * width));
    }),
  );
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Compares a column's rows with the exact values the manifest recorded. */
export function expectSpots(data: TypedArray, width: number, spots: Record<string, string[]>): void {
  const isFloat = data instanceof Float32Array || data instanceof Float64Array;
  for (const [row, values] of Object.entries(spots)) {
    const actual: (string | number)[] = [];
    for (const v of data.subarray(Number(row) * width, (Number(row) + 1) * width)) {
      actual.push(isFloat ? (Number.isNaN(v) ? 'nan' : Number(v)) : String(v));
    }
    const expected = values.map((v) => (isFloat && v !== 'nan' ? Number(v) : v));
    expect(actual, `row ${row}`).toEqual(expected);
  }
}

export interface RowRange {
  readonly startRow: number;
  readonly endRow: number;
  readonly chunkRows: number;
  readonly overlap: number;
}

/**
 * Asserts batches cover rows [startRow, endRow) as docs/design.md §2 says (see `expectBatch`)
 * and that there are just enough of them.
 */
export function expectBatching(
  batches: readonly Batch[],
  whole: Readonly<Record<string, TypedArray>>,
  range: RowRange,
): void {
  expect(batches.length).toBe(Math.ceil((range.endRow - range.startRow) / range.chunkRows));
  batches.forEach((batch, k) => expectBatch(batch, k, whole, range));
}

/**
 * Batch k's new rows start at startRow + k·chunkRows, its history reaches back
 * min(overlap, newStart) rows (into the rows before startRow too), and every row (history and new) equals the same row of
 * `whole`, with the same array type.
 */
export function expectBatch(
  batch: Batch,
  k: number,
  whole: Readonly<Record<string, TypedArray>>,
  range: RowRange,
): void {
  const newStart = range.startRow + k * range.chunkRows;
  const first = Math.max(0, newStart - range.overlap);
  const expected = {
    start: first,
    history: newStart - first,
    rows: Math.min(newStart + range.chunkRows, range.endRow) - first,
  };
  // Plain comparisons first: this runs for thousands of batches, expect() only on a mismatch.
  const actual = { start: batch.start, history: batch.history, rows: batch.rows };
  if (
    actual.start !== expected.start ||
    actual.history !== expected.history ||
    actual.rows !== expected.rows
  ) {
    expect(actual, `batch ${k}`).toEqual(expected);
  }
  const names = Object.keys(whole);
  if (Object.keys(batch.columns).join() !== names.join()) expect(Object.keys(batch.columns)).toEqual(names);
  for (const name of names) {
    const data = whole[name];
    const { data: values, width } = batch.columns[name];
    if (values.constructor !== data.constructor) expect(values.constructor).toBe(data.constructor);
    const rows = bytesOf(data.subarray(first * width, (first + batch.rows) * width));
    if (!bytesOf(values).equals(rows)) expect.fail(`batch ${k}: column ${name} differs`);
  }
}

/** The columns of a single batch holding the whole table. */
export function columnsOf(batches: readonly Batch[]): Record<string, TypedArray> {
  expect(batches.length).toBe(1);
  return Object.fromEntries(Object.entries(batches[0].columns).map(([name, c]) => [name, c.data]));
}

/** Asserts `promise` rejects with a SluiceError of `code` (and the other facts given). */
export async function expectSluiceError(
  promise: Promise<unknown>,
  code: string,
  facts: { path?: string; offset?: number; message?: RegExp; hint?: RegExp } = {},
): Promise<SluiceError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SluiceError);
  const e = error as SluiceError;
  expect({ code: e.code, message: e.message }).toMatchObject({ code });
  if (facts.path !== undefined) expect(e.path).toBe(facts.path);
  if (facts.offset !== undefined) expect(e.offset).toBe(facts.offset);
  if (facts.message) expect(e.message).toMatch(facts.message);
  if (facts.hint) expect(e.hint).toMatch(facts.hint);
  return e;
}
