/**
 * An HDF5 file listed the way `h5ls -r -v` lists it: every group and dataset with its shape,
 * type (compound ones with their members), storage (contiguous at its byte offset, compact, or
 * chunked with its chunk shape and filters) and attributes; links shown, never followed twice
 * (a hard link back to a parent is listed as such, not walked again); pandas tables and
 * PyCCAPT's raw layout recognised (listing-tables.ts). h5wasm does the walk, every call
 * guarded (h5wasm-calls.ts); the superblock and each contiguous dataset's layout message are
 * read by sluice's own parser (layout.ts), which checks them. A corrupt file is a SluiceError.
 */
import type { Dataset, File as H5File, Group, Metadata } from 'h5wasm/node';
import { SluiceError } from '../../core/errors.ts';
import { openForReading } from '../../io/open.ts';
import type { Hdf5Library } from './h5wasm-calls.ts';
import { loadHdf5Library } from './h5wasm-calls.ts';
import type { ReadAt, Superblock } from './layout.ts';
import { objectAddress, readAtHandle, readDatasetStorage, readSuperblock } from './layout.ts';
import type { KnownLayout, ListedObject, PandasTable } from './listing-tables.ts';
import { findKnownLayouts, findPandasTables } from './listing-tables.ts';
import { shownValue, typeName } from './listing-values.ts';

/** Objects listed at most: a file with more is listed up to here (`truncated`). */
export const MAX_LISTED = 100_000;
/** Group nesting followed at most. */
const MAX_DEPTH = 64;
/** Values of a pandas `axis0` dataset (column names) read at most. */
const MAX_AXIS_NAMES = 65_536;

export interface Hdf5Entry extends ListedObject {
  /** numpy-style type of a dataset or named datatype. */
  readonly dtype?: string;
  /** `contiguous`, `compact`, `chunked`, `virtual`, or `external`. */
  readonly layout?: string;
  /** File offset of a contiguous dataset's data. */
  readonly offset?: number;
  readonly chunks?: readonly number[];
  /** Filters of a chunked dataset, in pipeline order: `shuffle`, `deflate(4)`, … */
  readonly filters?: readonly string[];
  readonly maxshape?: readonly (number | null)[];
  /** A link's target (a path, `file:path`, or the first path of a hard-linked object). */
  readonly target?: string;
}

export interface Hdf5Listing {
  readonly path: string;
  readonly superblockVersion: number;
  readonly entries: readonly Hdf5Entry[];
  readonly pandasTables: readonly PandasTable[];
  readonly layouts: readonly KnownLayout[];
  /** More than MAX_LISTED objects: the rest is left out. */
  readonly truncated: boolean;
}

interface Walk {
  readonly path: string;
  readonly library: Hdf5Library;
  readonly h5: H5File;
  readonly readAt: ReadAt;
  readonly size: number;
  readonly superblock: Superblock;
  readonly entries: Hdf5Entry[];
  /** Object header address → the first path it was listed at. */
  readonly seen: Map<number, string>;
  truncated: boolean;
}

/** Lists every group, dataset and link of the HDF5 file at `path`. */
export async function listHdf5(path: string): Promise<Hdf5Listing> {
  const handle = await openForReading(path);
  try {
    const size = (await handle.stat()).size;
    const read = readAtHandle(handle);
    const readAt: ReadAt = (offset, length) => read(offset, Math.max(0, Math.min(length, size - offset)));
    const superblock = await readSuperblock(readAt, size, path);
    const library = await loadHdf5Library();
    const h5 = library.open(path);
    try {
      const walk: Walk = {
        path,
        library,
        h5,
        readAt,
        size,
        superblock,
        entries: [],
        seen: new Map(),
        truncated: false,
      };
      await listGroup(walk, h5, '/', 0);
      const entries = walk.entries;
      return {
        path,
        superblockVersion: superblock.version,
        entries,
        pandasTables: findPandasTables(entries),
        layouts: findKnownLayouts(entries),
        truncated: walk.truncated,
      };
    } finally {
      library.close(h5, path);
    }
  } finally {
    await handle.close();
  }
}

async function listGroup(walk: Walk, group: Group, groupPath: string, depth: number): Promise<void> {
  const { library, path } = walk;
  const site = { path, dataset: groupPath, doing: 'listing' };
  if (!remember(walk, group, groupPath, 'group')) return;
  walk.entries.push({ path: groupPath, kind: 'group', attributes: attributesOf(walk, group, groupPath) });
  if (depth >= MAX_DEPTH) return;
  const names = library.call(site, () => group.keys());
  const pandas = typeof walk.entries[walk.entries.length - 1].attributes.pandas_type === 'string';
  for (const name of names) {
    if (walk.entries.length >= MAX_LISTED) {
      walk.truncated = true;
      return;
    }
    const childPath = `${groupPath === '/' ? '' : groupPath}/${name}`;
    // A soft link is listed with its target, not followed (h5ls -r does the same).
    const soft = library.call({ ...site, dataset: childPath }, () => walk.h5.get_link(childPath));
    if (typeof soft === 'string') {
      walk.entries.push({ path: childPath, kind: 'soft-link', target: soft, attributes: {} });
      continue;
    }
    const entity = library.get(walk.h5, childPath, path);
    const { Dataset: DatasetClass, Group: GroupClass, Datatype: DatatypeClass } = library.h5wasm;
    if (entity instanceof GroupClass) await listGroup(walk, entity, childPath, depth + 1);
    else if (entity instanceof DatasetClass)
      await listDataset(walk, entity, childPath, pandas && name === 'axis0');
    else if (entity instanceof DatatypeClass) {
      const meta = library.call({ ...site, dataset: childPath }, () => entity.metadata);
      walk.entries.push({ path: childPath, kind: 'datatype', dtype: typeName(meta), attributes: {} });
    } else walk.entries.push(linkEntry(childPath, entity));
  }
}

function linkEntry(path: string, entity: unknown): Hdf5Entry {
  const link = entity as { target?: string; filename?: string; obj_path?: string } | null;
  if (link?.filename !== undefined)
    return { path, kind: 'external-link', target: `${link.filename}:${link.obj_path}`, attributes: {} };
  return { path, kind: 'soft-link', target: link?.target ?? '(dangling)', attributes: {} };
}

/** False, after listing a hard link, when the object was listed before under another path. */
function remember(walk: Walk, object: Group | Dataset, objectPath: string, kind: string): boolean {
  const ref = walk.library.call({ path: walk.path, dataset: objectPath, doing: 'locating' }, () =>
    object.create_reference(),
  );
  const address = objectAddress(ref.ref_data);
  const first = walk.seen.get(address);
  if (first === undefined) {
    walk.seen.set(address, objectPath);
    return true;
  }
  walk.entries.push({ path: objectPath, kind: 'hard-link', target: `${kind} ${first}`, attributes: {} });
  return false;
}

async function listDataset(
  walk: Walk,
  dataset: Dataset,
  datasetPath: string,
  axisNames: boolean,
): Promise<void> {
  if (!remember(walk, dataset, datasetPath, 'dataset')) return;
  const site = { path: walk.path, dataset: datasetPath, doing: 'describing' };
  const meta = walk.library.call(site, () => dataset.metadata);
  const filters = walk.library.call(site, () => dataset.filters);
  const storage = await storageOf(walk, dataset, datasetPath, meta);
  const members = meta.compound_type?.members.map((m) => m.name);
  walk.entries.push({
    path: datasetPath,
    kind: 'dataset',
    shape: meta.shape ?? [],
    dtype: typeName(meta),
    ...storage,
    ...(filters.length ? { filters: filters.map(filterName) } : {}),
    ...maxshapeOf(meta),
    ...(members ? { members } : {}),
    ...(axisNames ? { values: axisValues(walk, dataset, datasetPath, meta) } : {}),
    attributes: attributesOf(walk, dataset, datasetPath),
  });
}

/** Where the data is: chunked (h5wasm knows the chunk shape), virtual, or from the layout message. */
async function storageOf(
  walk: Walk,
  dataset: Dataset,
  datasetPath: string,
  meta: Metadata,
): Promise<Pick<Hdf5Entry, 'layout' | 'offset' | 'chunks'>> {
  if (meta.chunks) return { layout: 'chunked', chunks: meta.chunks };
  if (meta.virtual_sources?.length) return { layout: 'virtual' };
  const ref = walk.library.call({ path: walk.path, dataset: datasetPath, doing: 'locating' }, () =>
    dataset.create_reference(),
  );
  const { readAt, size, superblock, path } = walk;
  const storage = await readDatasetStorage(readAt, size, superblock, objectAddress(ref.ref_data), path);
  if (storage.kind === 'contiguous') return { layout: 'contiguous', offset: storage.offset };
  return { layout: storage.reason === 'external data files' ? 'external' : storage.reason };
}

/** The maximum shape, when it differs from the shape; H5S_UNLIMITED (2^64 − 1) is null, as h5py shows it. */
function maxshapeOf(meta: Metadata): Pick<Hdf5Entry, 'maxshape'> {
  if (!meta.maxshape || meta.maxshape.every((m, i) => m === meta.shape?.[i])) return {};
  return { maxshape: meta.maxshape.map((m) => (m >= Number.MAX_SAFE_INTEGER ? null : m)) };
}

function filterName(filter: { id: number; name: string; cd_values?: number[] }): string {
  const name = filter.name || `filter ${filter.id}`;
  // deflate's one parameter is its level; others' parameters are internal.
  return filter.id === 1 && filter.cd_values?.length ? `${name}(${filter.cd_values[0]})` : name;
}

function attributesOf(walk: Walk, object: Group | Dataset, objectPath: string): Record<string, unknown> {
  const site = { path: walk.path, dataset: objectPath, doing: 'reading the attributes of' };
  const attrs = walk.library.call(site, () => object.attrs);
  const out: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attrs)) {
    try {
      out[name] = shownValue(
        walk.library.call({ ...site, doing: `reading attribute ${name} of` }, () => attribute.json_value),
      );
    } catch (error) {
      // An attribute h5wasm cannot convert (a type it lacks) is shown as such; the file is not corrupt for it.
      if (!(error instanceof SluiceError)) throw error;
      out[name] = `<unreadable: ${error.message.slice(error.message.lastIndexOf(': ') + 2, 200)}>`;
    }
  }
  return out;
}

/** A pandas fixed-format `axis0`: its string values are the column names. */
function axisValues(walk: Walk, dataset: Dataset, datasetPath: string, meta: Metadata): string[] | undefined {
  const count = (meta.shape ?? []).reduce((n, d) => n * d, 1);
  if (meta.type !== 3 || (meta.shape ?? []).length !== 1 || count > MAX_AXIS_NAMES) return undefined;
  const values = walk.library.call(
    { path: walk.path, dataset: datasetPath, doing: 'reading' },
    () => dataset.json_value,
  );
  return Array.isArray(values) ? values.map(String) : undefined;
}
