/**
 * The heavy libraries (WASM and native modules), loaded on first use rather than at import.
 * The stage registry is imported by every CLI command and every shard worker; importing
 * h5wasm alone there took the process to ~680 MB RSS. So stages import these only as types
 * and call a loader here in `create` (or at first use); each loads its library once.
 */
import { format } from 'node:util';
import type * as Resvg from '@resvg/resvg-js';
import type * as Arrow from 'apache-arrow';
import type * as H5wasm from 'h5wasm/node';
import type * as ParquetWasm from 'parquet-wasm/node';

export type ArrowModule = typeof Arrow;
export type H5wasmModule = typeof H5wasm;
export type ParquetWasmModule = typeof ParquetWasm;
export type ResvgModule = typeof Resvg;

/**
 * tsx's ESM loader rewrites every module containing `import(` and builds a source map for
 * it; on h5wasm's 4.2 MB single-line Emscripten glue that cost ~1.5 s and ~600 MB RSS (80 MB
 * under plain node). tsx leaves alone a URL carrying a `tsx-namespace` it did not register,
 * and its resolver passes the namespace on to the module's own imports, so node loads
 * h5wasm untouched. Outside tsx (dist/ under plain node) the query is inert: file URLs ignore
 * it when loading, and tsc's rewriting of import paths leaves absolute URLs alone.
 */
const UNTRANSFORMED = '?tsx-namespace=sluice-untransformed';

/**
 * h5wasm with its WASM instance ready (`ready` awaited), and what it prints to stderr routed
 * through `withH5wasmStderr`. It prints on two paths: libhdf5's fprintf(stderr) (its error
 * stacks, "HDF5-DIAG: Error detected …") reaches Emscripten's `FS.write` on descriptor 2,
 * and Emscripten's own complaints ("Cannot enlarge memory", UTF-8 warnings) its `err`, which
 * it binds to `console.error` while the instance starts. So `console.error` is a forwarder
 * for that moment, and `FS.write` is wrapped; both print as before when no sink is set.
 */
export const loadH5wasm = once(async (): Promise<H5wasmModule> => {
  const printError = console.error;
  console.error = (...args: unknown[]) => {
    if (stderrSink) stderrSink(`${format(...args)}\n`);
    else printError.apply(console, args);
  };
  try {
    const h5wasm = await importUntransformed<H5wasmModule>('h5wasm/node', () => import('h5wasm/node'));
    await h5wasm.ready;
    routeFsStderr(h5wasm);
    return h5wasm;
  } finally {
    console.error = printError;
  }
});

/** Where h5wasm's stderr goes while `withH5wasmStderr` runs; undefined: to the process's stderr. */
let stderrSink: ((text: string) => void) | undefined;

/**
 * `fn()`, with everything h5wasm prints to stderr meanwhile given to `sink` instead. h5wasm
 * calls are synchronous, so nothing else prints in between; calls nest.
 */
export function withH5wasmStderr<T>(sink: (text: string) => void, fn: () => T): T {
  const outer = stderrSink;
  stderrSink = sink;
  try {
    return fn();
  } finally {
    stderrSink = outer;
  }
}

/** Emscripten's FS as far as stderr goes: `write` of a stream with its descriptor. */
interface WritableFS {
  write(
    stream: { fd?: number },
    buffer: ArrayBufferView,
    offset: number,
    length: number,
    ...rest: unknown[]
  ): number;
}

/** Emscripten calls `FS.write` for every write(2) of the C library: descriptor 2 goes to the sink. */
function routeFsStderr(h5wasm: H5wasmModule): void {
  // h5wasm declares FS as Emscripten's FileSystemType, whose write this wraps.
  const fs = h5wasm.FS as unknown as WritableFS | null;
  if (!fs) return;
  const write = fs.write.bind(fs);
  const decoder = new TextDecoder();
  fs.write = (stream, buffer, offset, length, ...rest) => {
    if (stream.fd !== 2 || !stderrSink) return write(stream, buffer, offset, length, ...rest);
    stderrSink(decoder.decode(new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length)));
    return length;
  };
}

/**
 * `specifier` imported by file URL with the query above; where the URL cannot be formed
 * (no `import.meta.resolve`, a bundler) the plain import.
 */
async function importUntransformed<T>(specifier: string, plain: () => Promise<T>): Promise<T> {
  let url: string | undefined;
  try {
    url = import.meta.resolve(specifier);
  } catch {
    url = undefined;
  }
  if (!url?.startsWith('file:')) return plain();
  return (await import(`${url}${UNTRANSFORMED}`)) as T;
}

export const loadParquetWasm = once((): Promise<ParquetWasmModule> => import('parquet-wasm/node'));

/** The native zstd library's bindings (zstd-napi), as far as sluice uses them. */
export interface NativeZstd {
  readonly CCtx: new () => { compress(target: Uint8Array, source: Uint8Array, level: number): number };
  compressBound(length: number): number;
}

/**
 * zstd-napi's bindings, or undefined where they cannot load: it is an optional dependency,
 * built from source on install, and sluice falls back to parquet-wasm's zstd without it.
 * SLUICE_NATIVE_ZSTD=0 turns it off.
 */
export const loadNativeZstd = once(async (): Promise<NativeZstd | undefined> => {
  if (process.env.SLUICE_NATIVE_ZSTD === '0') return undefined;
  try {
    const binding = (await import('zstd-napi/binding.js')) as { default?: NativeZstd } & Partial<NativeZstd>;
    const zstd = binding.default ?? (binding as NativeZstd);
    return typeof zstd.compressBound === 'function' ? zstd : undefined;
  } catch {
    return undefined;
  }
});

export const loadArrow = once((): Promise<ArrowModule> => import('apache-arrow'));

export const loadResvg = once((): Promise<ResvgModule> => import('@resvg/resvg-js'));

/** `load` run on the first call, its promise shared by later ones; a failed load is retried. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
