import { extname } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import type { Schema } from '../core/schema.ts';
import type { SourceStage } from '../core/stage.ts';
import type { Hdf5Listing } from '../formats/hdf5/listing.ts';
import { listHdf5 } from '../formats/hdf5/listing.ts';
import { registry as defaultRegistry } from '../stages.ts';
import { formatPointer } from './spec-document.ts';
import { openMappedFile } from '../io/open.ts';

/** What a source's `sniff` sees of a file. */
const SNIFF_BYTES = 4096;

export interface InspectOptions {
  /** Source type; detected from the header and extension when absent. */
  readonly type?: string;
  /** Extra source params (a raw file needs its dtype). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** How many leading rows to show. */
  readonly head?: number;
  readonly registry?: Registry;
}

/** What `inspect` tells of a file: its table (and first rows), or, for an HDF5 file named without a dataset, group or layout, its listing. */
export type InspectReport = TableReport | ListingReport;

export interface ListingReport {
  readonly kind: 'listing';
  readonly path: string;
  readonly format: 'hdf5';
  /** Every group and dataset, pandas tables and known layouts (formats/hdf5/listing.ts). */
  readonly listing: Hdf5Listing;
}

export interface TableReport {
  readonly kind: 'table';
  readonly path: string;
  readonly format: string;
  readonly backend: string;
  readonly rows: number;
  readonly bytes: number;
  readonly schema: Schema;
  readonly details: Readonly<Record<string, unknown>>;
  /** The first rows of each column (bigints as decimal strings). */
  readonly head: Readonly<Record<string, (number | string)[]>>;
}

/** Opens a file with the source its header (or extension) names and reads its first rows. */
export async function inspectFile(path: string, options: InspectOptions = {}): Promise<InspectReport> {
  const registry = options.registry ?? defaultRegistry;
  const stage = options.type ? sourceByName(registry, options.type) : await detectSource(registry, path);
  if (stage.name === 'hdf5' && !selectsData(options.params)) {
    return { kind: 'listing', path, format: 'hdf5', listing: await listHdf5(path) };
  }
  const parsed = stage.params.safeParse({ path, ...options.params, chunkRows: options.head ?? 5 });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SluiceError(
      'USAGE',
      `${stage.name}: ${formatPointer(issue.path as (string | number)[])}: ${issue.message}`,
      {
        path,
        hint: `Give the ${stage.name} source's params with --set, e.g. --set dtype=int16 (\`sluice stages ${stage.name}\`).`,
      },
    );
  }
  const source = await stage.create(parsed.data, { signal: new AbortController().signal, log: () => {} });
  try {
    const head: Record<string, (number | string)[]> = {};
    for await (const batch of source.batches({ overlap: 0 })) {
      for (const [name, column] of Object.entries(batch.columns)) {
        head[name] = Array.from(column.data, (v: number | bigint) =>
          typeof v === 'bigint' ? v.toString() : v,
        );
      }
      break;
    }
    const { format, backend, rows, bytes, schema, details } = source;
    return { kind: 'table', path, format, backend, rows, bytes, schema, details, head };
  } finally {
    await source.close();
  }
}

/** Whether the params name what to read of an HDF5 file; without, inspect lists the file. */
function selectsData(params: Readonly<Record<string, unknown>> | undefined): boolean {
  return ['dataset', 'group', 'layout'].some((key) => params?.[key] !== undefined);
}

function sourceByName(registry: Registry, type: string): SourceStage {
  const stage = registry.get(type, 'source');
  if (stage?.kind === 'source') return stage;
  const suggestion = registry.suggest(type, 'source');
  throw new SluiceError('STAGE_UNKNOWN', `unknown source type '${type}'`, {
    hint: suggestion ? `Did you mean '${suggestion}'?` : 'See `sluice stages`.',
  });
}

/** The header decides first (magic numbers), then the extension. */
export async function detectSource(registry: Registry, path: string): Promise<SourceStage> {
  const head = await readHead(path);
  const sources = registry.list('source') as SourceStage[];
  const bySniff = sources.find((s) => s.sniff?.(head));
  if (bySniff) return bySniff;
  const ext = extname(path).toLowerCase();
  const byExt = sources.find((s) => s.extensions?.includes(ext));
  if (byExt) return byExt;
  throw new SluiceError('FORMAT_UNKNOWN', `cannot tell the format of ${path}`, {
    path,
    hint: `Name it with --type (${sources.map((s) => s.name).join(', ')}).`,
  });
}

/** The first bytes of the file, through the file-access layer (its checks and errors). */
async function readHead(path: string): Promise<Uint8Array> {
  const file = await openMappedFile(path, { io: 'read' });
  try {
    const range = await file.acquire(0, Math.min(SNIFF_BYTES, file.size));
    const head = Uint8Array.from(range.bytes);
    range.release();
    return head;
  } finally {
    await file.close();
  }
}
