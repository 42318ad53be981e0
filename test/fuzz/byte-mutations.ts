/**
 * Format-blind mutations of a file's bytes, as a bad disk, a cut download or a buggy writer
 * leaves them: bit flips, odd bytes, integer fields smashed with edge values, truncations,
 * inserted, deleted, duplicated and zeroed ranges. Two thirds land in the `hot` prefix (the
 * header, where parsers decide sizes and offsets) when the caller names one.
 */
import type { Rng } from './rng.ts';

export interface Mutated {
  readonly bytes: Uint8Array;
  /** What was done, for the failure report: `flip@12`, `int32le@40=4294967295`, … */
  readonly what: string;
}

const EDGE_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x0a, 0x22, 0x27, 0x28, 0x2c, 0x3a];

/** Integers that break size and offset arithmetic, as bigints (written at any width). */
function edgeIntegers(size: number): bigint[] {
  return [
    0n,
    1n,
    -1n,
    0x7fn,
    0x80n,
    0xffn,
    0x7fffn,
    0x8000n,
    0xffffn,
    0x7fffffffn,
    0x80000000n,
    0xffffffffn,
    2n ** 32n,
    2n ** 53n,
    2n ** 63n - 1n,
    2n ** 63n,
    2n ** 64n - 1n,
    BigInt(size),
    BigInt(Math.max(0, size - 1)),
    BigInt(size + 1),
    BigInt(size * 2),
  ];
}

/** An offset: within the hot prefix two times in three (when there is one), else anywhere. */
function offsetIn(rng: Rng, size: number, hot: number): number {
  if (size === 0) return 0;
  if (hot > 0 && rng.bool(2 / 3)) return rng.int(Math.min(hot, size));
  return rng.int(size);
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array = new Uint8Array(0)) {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

/** Writes `value` as a width-byte two's-complement integer at `at`, little- or big-endian. */
export function writeInt(bytes: Uint8Array, at: number, width: number, value: bigint, little: boolean): void {
  let v = BigInt.asUintN(width * 8, value);
  for (let i = 0; i < width && at + i < bytes.length; i++) {
    const k = little ? i : width - 1 - i;
    if (at + k < bytes.length) bytes[at + k] = Number(v & 0xffn);
    v >>= 8n;
  }
}

type Op = (rng: Rng, bytes: Uint8Array, hot: number) => Mutated;

const ops: readonly (readonly [number, Op])[] = [
  [
    3,
    (rng, bytes, hot) => {
      const out = Uint8Array.from(bytes);
      const at: number[] = [];
      for (let n = rng.between(1, 8); n > 0 && out.length > 0; n--) {
        const i = offsetIn(rng, out.length, hot);
        out[i] ^= 1 << rng.int(8);
        at.push(i);
      }
      return { bytes: out, what: `flip@${at.join(',')}` };
    },
  ],
  [
    2,
    (rng, bytes, hot) => {
      const out = Uint8Array.from(bytes);
      const at: string[] = [];
      for (let n = rng.between(1, 4); n > 0 && out.length > 0; n--) {
        const i = offsetIn(rng, out.length, hot);
        out[i] = rng.bool(0.8) ? rng.pick(EDGE_BYTES) : rng.int(256);
        at.push(`${i}=${out[i]}`);
      }
      return { bytes: out, what: `byte@${at.join(',')}` };
    },
  ],
  [
    4,
    (rng, bytes, hot) => {
      const out = Uint8Array.from(bytes);
      const width = rng.pick([2, 4, 4, 8, 8]);
      const aligned = rng.bool(0.7);
      let at = offsetIn(rng, Math.max(1, out.length - width + 1), hot);
      if (aligned) at -= at % width;
      const value = rng.bool(0.85) ? rng.pick(edgeIntegers(bytes.length)) : BigInt(rng.next());
      const little = rng.bool(0.7);
      writeInt(out, at, width, value, little);
      return { bytes: out, what: `int${width * 8}${little ? 'le' : 'be'}@${at}=${value}` };
    },
  ],
  [
    3,
    (rng, bytes, hot) => {
      const choices = [rng.int(bytes.length + 1), Math.max(0, bytes.length - rng.between(1, 16))];
      if (hot > 0)
        choices.push(rng.int(Math.min(hot, bytes.length) + 1), Math.max(0, hot + rng.between(-8, 8)));
      const length = Math.min(bytes.length, rng.pick(choices));
      return { bytes: bytes.slice(0, length), what: `truncate@${length}` };
    },
  ],
  [
    2,
    (rng, bytes, hot) => {
      const at = offsetIn(rng, bytes.length + 1, hot);
      const n = rng.pick([1, 2, 3, 4, 7, 8, 16, 64]);
      const copyFrom = rng.int(Math.max(1, bytes.length - n));
      const insert = rng.bool() ? rng.bytes(n) : bytes.slice(copyFrom, copyFrom + n);
      return { bytes: splice(bytes, at, 0, insert), what: `insert@${at}+${insert.length}` };
    },
  ],
  [
    2,
    (rng, bytes, hot) => {
      const at = offsetIn(rng, bytes.length, hot);
      const n = Math.min(bytes.length - at, rng.pick([1, 2, 3, 4, 8, 16, 64, 256]));
      return { bytes: splice(bytes, at, n), what: `delete@${at}-${n}` };
    },
  ],
  [
    1,
    (rng, bytes, hot) => {
      const at = offsetIn(rng, bytes.length, hot);
      const n = Math.min(bytes.length - at, rng.pick([4, 16, 64, 512]));
      const dest = offsetIn(rng, bytes.length + 1, hot);
      return { bytes: splice(bytes, dest, 0, bytes.slice(at, at + n)), what: `dup@${at}-${n}->${dest}` };
    },
  ],
  [
    1,
    (rng, bytes, hot) => {
      const out = Uint8Array.from(bytes);
      const at = offsetIn(rng, out.length, hot);
      const n = Math.min(out.length - at, rng.pick([4, 16, 64, 1024]));
      out.fill(rng.bool() ? 0 : 0xff, at, at + n);
      return { bytes: out, what: `fill@${at}-${n}` };
    },
  ],
  [
    1,
    (rng, bytes) => {
      const n = rng.pick([1, 3, 8, 100, 4096]);
      const out = new Uint8Array(bytes.length + n);
      out.set(bytes);
      out.set(rng.bytes(n), bytes.length);
      return { bytes: out, what: `append+${n}` };
    },
  ],
];

/** One to `most` mutations, applied in turn. */
export function mutateBytes(rng: Rng, bytes: Uint8Array, hot: number, most = 3): Mutated {
  let current = bytes;
  const what: string[] = [];
  for (let n = rng.between(1, most); n > 0; n--) {
    const m = rng.weighted(ops)(rng, current, hot);
    current = m.bytes;
    what.push(m.what);
  }
  return { bytes: current, what: what.join(' ') };
}
