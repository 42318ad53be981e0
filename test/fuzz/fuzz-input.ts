/** One generated fuzz input: its files, how to read them, and what it must give. */
import type { Expectation } from './expected-stats.ts';
import type { Probe } from './protocol.ts';
import type { Rng } from './rng.ts';

export const DATA_FORMATS = [
  'npy',
  'raw',
  'epos',
  'pos',
  'apt',
  'hdf5',
  'daf-dense',
  'daf-sparse',
  'parquet',
  'arrow',
  'csv',
] as const;
export const FORMATS = [...DATA_FORMATS, 'spec'] as const;
export type FuzzFormat = (typeof FORMATS)[number];

export interface SourceRef {
  readonly type: string;
  readonly [param: string]: unknown;
}

export interface FuzzInput {
  readonly format: FuzzFormat;
  readonly index: number;
  /** The base file or spec it was made from. */
  readonly base: string;
  /** What was done to it. */
  readonly mutation: string;
  /** Files by name, written into the input's own directory. */
  readonly files: Readonly<Record<string, Uint8Array>>;
  /** Symbolic links made beside the files: name → target. */
  readonly links?: Readonly<Record<string, string>>;
  /** A data input: the file read, the source params (path is added) and inspect's params. */
  readonly read?: {
    readonly file: string;
    readonly source: SourceRef;
    /** Params for inspect (a raw file needs its dtype); inspect detects the format by itself. */
    readonly inspectParams?: Readonly<Record<string, unknown>>;
    readonly inspectType?: string;
  };
  /** A spec input: the spec file, its environment and --set overrides. */
  readonly spec?: {
    readonly file: string;
    readonly env: Readonly<Record<string, string>>;
    readonly set?: Readonly<Record<string, string>>;
  };
  readonly expect: Expectation;
  /** Only in the harness's own test: the child misbehaves as told instead. */
  readonly probe?: Probe;
}

/** Makes input `index` of a format from its own generator. */
export type InputGenerator = (rng: Rng, index: number) => FuzzInput;

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A batch size for a file of `bytes`: tiny batches only for small files (they cost time per batch). */
export function chunkRowsFor(rng: Rng, bytes: number): number {
  return bytes <= 4096 ? rng.pick([1, 3, 7, 1000]) : rng.pick([61, 997, 4096, 1 << 20]);
}

/**
 * A mutated file of `format` read with `read` (any batch size), which has no reference to
 * compare with: it must fail typed or read consistently.
 */
export function unreferencedRead(
  rng: Rng,
  input: { format: FuzzFormat; index: number; base: string; what: string; bytes: Uint8Array; ext: string },
  read: SourceRef,
): FuzzInput {
  const { format, index, base, what, bytes, ext } = input;
  const file = `input.${ext}`;
  return {
    format,
    index,
    base,
    mutation: `${what} read ${JSON.stringify(read)}`,
    files: { [file]: bytes },
    read: { file, source: { ...read, chunkRows: chunkRowsFor(rng, bytes.length) } },
    expect: { kind: 'consistent', reason: `no ${format} reference` },
  };
}
