/** Column lookups the sinks share, failing with the error a user can act on. */
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import { columnNames, findColumn } from '../../core/schema.ts';

/** The named column of `schema`; COLUMN_UNKNOWN, listing the columns there are, when absent. */
export function requireColumn(schema: Schema, name: string, stage: string): ColumnSchema {
  const column = findColumn(schema, name);
  if (column) return column;
  const available = columnNames(schema);
  throw new SluiceError('COLUMN_UNKNOWN', `${stage}: no column '${name}' in the input`, {
    hint: available.length ? `available columns: ${available.join(', ')}` : 'the input has no columns',
  });
}

/** `names` checked against `schema`, or every column of it when `names` is absent. */
export function requireColumns(
  schema: Schema,
  names: readonly string[] | undefined,
  stage: string,
): ColumnSchema[] {
  return names ? names.map((name) => requireColumn(schema, name, stage)) : [...schema.columns];
}
