/**
 * A writer for Python's pickle protocol 0 (text), for the few small values PyTables and pandas
 * keep pickled in HDF5 attributes (see pandas-table.ts). Not a general pickler.
 */
/** A pickle value: what pandas pickles into its attributes (lists, tuples, dicts, str, int, None). */
export type PickleValue = null | number | string | PickleValue[] | PickleTuple | PickleDict;
export interface PickleTuple {
  readonly tuple: readonly PickleValue[];
}
export interface PickleDict {
  readonly dict: readonly (readonly [PickleValue, PickleValue])[];
}

/**
 * Python's `pickle.dumps(value, protocol=0)`, which PyTables uses for non-scalar attributes:
 * the same bytes for ASCII strings (memo ids numbered as Python numbers them; no value is
 * shared, so no `g` gets). Non-ASCII characters, `\` and newlines are written as \uXXXX
 * escapes, which `V`'s raw-unicode-escape decodes to the same string (Python writes latin-1
 * bytes for U+0080…U+00FF instead).
 */
export function pickle0(value: PickleValue): string {
  let memo = 0;
  const put = () => `p${memo++}\n`;
  const out: string[] = [];
  const emit = (v: PickleValue): void => {
    if (v === null) out.push('N');
    else if (typeof v === 'number') out.push(`I${v}\n`);
    else if (typeof v === 'string') out.push(`V${escapeUnicode(v)}\n`, put());
    else if (Array.isArray(v)) {
      out.push('(l', put());
      for (const item of v) {
        emit(item);
        out.push('a');
      }
    } else if ('tuple' in v) {
      out.push('(');
      v.tuple.forEach(emit);
      out.push('t', put());
    } else {
      out.push('(d', put());
      for (const [k, item] of v.dict) {
        emit(k);
        emit(item);
        out.push('s');
      }
    }
  };
  emit(value);
  out.push('.');
  return out.join('');
}

function escapeUnicode(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f && ch !== '\\') out += ch;
    else if (code > 0xffff) out += `\\U${code.toString(16).padStart(8, '0')}`;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}
