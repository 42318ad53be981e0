/**
 * The tables an HDF5 listing recognises among its groups: pandas' HDFStore tables (a group with
 * a `pandas_type` attribute: `frame_table` is PyTables' compound `table` dataset, `frame` the
 * fixed format's `axis0`/`block0_values`) with their key, columns and rows; and PyCCAPT's raw
 * `/dld` group, which the hdf5 source reads as `layout: pyccapt-raw`.
 */
import { PYCCAPT_RAW } from './find-datasets.ts';

/** What the listing knows of one object, as the recognisers need it. */
export interface ListedObject {
  readonly path: string;
  readonly kind: 'group' | 'dataset' | 'datatype' | 'soft-link' | 'external-link' | 'hard-link';
  readonly shape?: readonly number[];
  /** Compound members' names, for a compound dataset. */
  readonly members?: readonly string[];
  readonly attributes: Readonly<Record<string, unknown>>;
  /** A pandas fixed-format `axis0` dataset's values: the column names. */
  readonly values?: readonly string[];
}

export interface PandasTable {
  /** The HDFStore key (`/df`), as `pd.read_hdf(path, key)` takes it. */
  readonly key: string;
  /** `frame_table`, `frame`, `series_table`, … */
  readonly pandasType: string;
  readonly columns: readonly string[];
  readonly rows: number;
}

export interface KnownLayout {
  /** The hdf5 source's `layout` param that reads it. */
  readonly layout: 'pyccapt-raw';
  readonly group: string;
  /** Dataset → the column it becomes. */
  readonly columns: Readonly<Record<string, string>>;
  readonly rows: number;
}

/** Every pandas table among `objects`. */
export function findPandasTables(objects: readonly ListedObject[]): PandasTable[] {
  const byPath = new Map(objects.map((o) => [o.path, o]));
  return objects.flatMap((group) => {
    const pandasType = group.attributes.pandas_type;
    if (group.kind !== 'group' || typeof pandasType !== 'string') return [];
    const child = (name: string) => byPath.get(`${group.path === '/' ? '' : group.path}/${name}`);
    if (pandasType.endsWith('_table')) {
      const table = child('table');
      const columns = pickledNames(group.attributes.non_index_axes) ?? dataColumns(table);
      return [{ key: group.path, pandasType, columns, rows: table?.shape?.[0] ?? 0 }];
    }
    const axis0 = child('axis0');
    const axis1 = child('axis1') ?? child('index');
    return [
      {
        key: group.path,
        pandasType,
        columns: axis0?.values ?? [],
        rows: axis1?.shape?.[0] ?? 0,
      },
    ];
  });
}

/** The strings of a protocol-0 pickled list (`(lp0\nVx (nm)\np1\naV…`), as PyTables stores pandas' attributes. */
export function pickledNames(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || !value.startsWith('(')) return undefined;
  const names = value
    .split('\n')
    .map((line) => /^a?V(.*)$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined)
    .map(unescapeRawUnicode);
  return names.length ? names : undefined;
}

/** pickle's raw-unicode-escape: `\uXXXX` and `\UXXXXXXXX` are the only escapes. */
function unescapeRawUnicode(text: string): string {
  return text.replace(
    /\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
    (_, u4: string | undefined, u8: string | undefined) =>
      String.fromCodePoint(parseInt(u4 ?? u8 ?? '0', 16)),
  );
}

/** With `data_columns=True` every column is a member of the compound table, after `index`. */
function dataColumns(table: ListedObject | undefined): string[] {
  return (table?.members ?? []).filter((m) => m !== 'index');
}

/** PyCCAPT's raw layout: a `/dld` group holding at least x, y and t of equal length. */
export function findKnownLayouts(objects: readonly ListedObject[]): KnownLayout[] {
  const group = objects.find((o) => o.path === '/dld' && o.kind === 'group');
  if (!group) return [];
  const datasets = new Map(
    objects
      .filter((o) => o.kind === 'dataset' && o.path.startsWith('/dld/'))
      .map((o) => [o.path.slice(5), o]),
  );
  const columns: Record<string, string> = {};
  let rows: number | undefined;
  for (const { names, column } of PYCCAPT_RAW) {
    const name = names.find((n) => datasets.has(n));
    const shape = name === undefined ? undefined : datasets.get(name)?.shape;
    if (name === undefined || shape?.length !== 1) continue;
    if (rows !== undefined && shape[0] !== rows) return [];
    rows = shape[0];
    columns[`/dld/${name}`] = column;
  }
  const required = ['/dld/x', '/dld/y', '/dld/t'];
  if (!required.every((p) => p in columns)) return [];
  return [{ layout: 'pyccapt-raw', group: '/dld', columns, rows: rows ?? 0 }];
}
