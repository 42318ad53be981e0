/**
 * The heavy libraries (WASM and native modules), loaded on first use rather than at import.
 * The stage registry is imported by every CLI command and every shard worker; importing
 * h5wasm alone there took the process to ~680 MB RSS. So stages import these only as types
 * and call a loader here in `create` (or at first use); each loads its library once.
 */
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

/** h5wasm with its WASM instance ready (`ready` awaited). */
export const loadH5wasm = once(async (): Promise<H5wasmModule> => {
  const h5wasm = await importUntransformed<H5wasmModule>('h5wasm/node', () => import('h5wasm/node'));
  await h5wasm.ready;
  return h5wasm;
});

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
