/** Results as JSON, for the terminal (cli/format.ts) and the HTML report alike. */

/** JSON.stringify's replacer: bigints as decimal strings, typed arrays as arrays, maps as objects. */
export function resultJsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
  }
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}
