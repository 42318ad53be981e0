/** Quantities as people read them: bytes in binary units, counts with separators, rates, values. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

/** `1,234,567`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `312.4 MB/s`, `1.20 Grows/s`: decimal prefixes, as rates are. */
export function formatRate(perSecond: number, unit: string): string {
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(2)} G${unit}/s`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M${unit}/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k${unit}/s`;
  return `${perSecond.toFixed(0)} ${unit}/s`;
}

/** `0.42 s`, `3 min 12 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** A result's value: integers with separators, others in 7 significant digits, `—` for none. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString('en-US');
    return Number(value.toPrecision(7)).toString();
  }
  return String(value);
}
