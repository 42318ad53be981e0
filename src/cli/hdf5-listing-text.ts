/**
 * `sluice inspect file.h5` as text: one line per object as `h5ls -r` prints it (path, kind,
 * shape, type, storage), its attributes indented below it, then the pandas tables and known
 * layouts found, each with the `--set` that reads it.
 */
import type { Hdf5Entry, Hdf5Listing } from '../formats/hdf5/listing.ts';
import { formatCount } from './format.ts';

/** The listing's lines. */
export function formatHdf5Listing(listing: Hdf5Listing): string[] {
  const groups = listing.entries.filter((e) => e.kind === 'group').length;
  const datasets = listing.entries.filter((e) => e.kind === 'dataset').length;
  const width = Math.min(48, Math.max(...listing.entries.map((e) => e.path.length)) + 2);
  const lines = [
    `${listing.path}: HDF5 (superblock v${listing.superblockVersion}), ${groups} groups, ${datasets} datasets`,
  ];
  for (const entry of listing.entries) {
    lines.push(`  ${entry.path.padEnd(width)} ${describeEntry(entry)}`);
    for (const [name, value] of Object.entries(entry.attributes)) {
      lines.push(`  ${''.padEnd(width)}   @${name} = ${cut(JSON.stringify(value))}`);
    }
  }
  if (listing.truncated)
    lines.push(`  … more objects left out (${formatCount(listing.entries.length)} listed)`);
  for (const t of listing.pandasTables) {
    lines.push(
      `pandas table ${t.key} (${t.pandasType}): ${formatCount(t.rows)} rows; columns ${t.columns.join(', ') || '(unknown)'}`,
    );
  }
  for (const l of listing.layouts) {
    const columns = Object.entries(l.columns).map(([dataset, column]) => `${dataset} → ${column}`);
    lines.push(
      `layout: ${l.layout} (${formatCount(l.rows)} rows; ${columns.join(', ')}); read with --set layout=${l.layout}`,
    );
  }
  lines.push('Read a dataset or group with --set dataset=/path or --set group=/path.');
  return lines;
}

function describeEntry(entry: Hdf5Entry): string {
  switch (entry.kind) {
    case 'group':
      return 'Group';
    case 'dataset': {
      const storage =
        entry.layout === 'chunked'
          ? `chunked {${entry.chunks?.join(', ')}}${entry.filters?.length ? `, filters ${entry.filters.join(', ')}` : ''}`
          : entry.layout === 'contiguous' && entry.offset !== undefined
            ? `contiguous @ byte ${entry.offset}`
            : (entry.layout ?? '');
      return `Dataset {${(entry.shape ?? []).join(', ')}} ${entry.dtype}, ${storage}`;
    }
    case 'datatype':
      return `Type ${entry.dtype}`;
    default:
      return `${entry.kind} → ${entry.target}`;
  }
}

function cut(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
