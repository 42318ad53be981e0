/**
 * Thrift's compact protocol, as Parquet's footer and page indexes are written in it: decoded
 * into a generic tree that keeps every field (known or not) with its wire type, so a footer
 * can be read, a few offsets changed, and written back with nothing else altered. Field ids
 * follow parquet.thrift; this file knows none of them.
 */
import { SluiceError } from '../../core/errors.ts';

/** Compact protocol type ids. */
export const T = {
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export type ThriftValue =
  boolean | number | bigint | Uint8Array | ThriftList | ThriftMap | ThriftStruct | EncodedStruct;

/** A struct already encoded (`encodeStruct`), written as its bytes where a struct goes. */
export interface EncodedStruct {
  readonly kind: 'encoded';
  readonly bytes: Uint8Array;
}

export interface ThriftList {
  readonly kind: 'list';
  /** LIST or SET. */
  readonly type: number;
  readonly elementType: number;
  readonly items: ThriftValue[];
}

export interface ThriftMap {
  readonly kind: 'map';
  readonly keyType: number;
  readonly valueType: number;
  readonly entries: [ThriftValue, ThriftValue][];
}

export interface ThriftField {
  /** The wire type (TRUE and FALSE both mean a bool). */
  type: number;
  value: ThriftValue;
}

/** A struct: its fields by id, in the order they were read (ascending, as writers emit them). */
export class ThriftStruct {
  readonly kind = 'struct';
  readonly fields = new Map<number, ThriftField>();

  get(id: number): ThriftValue | undefined {
    return this.fields.get(id)?.value;
  }

  /** Sets a field, keeping the fields in ascending id order. */
  set(id: number, type: number, value: ThriftValue): void {
    this.fields.set(id, { type, value });
    const sorted = [...this.fields].sort(([a], [b]) => a - b);
    this.fields.clear();
    for (const [key, field] of sorted) this.fields.set(key, field);
  }

  delete(id: number): void {
    this.fields.delete(id);
  }

  struct(id: number): ThriftStruct | undefined {
    const value = this.get(id);
    return value instanceof ThriftStruct ? value : undefined;
  }

  list(id: number): ThriftList | undefined {
    const value = this.get(id);
    return isList(value) ? value : undefined;
  }

  /** An integer field as a number (i64 fields are read as bigints). */
  int(id: number): number | undefined {
    const value = this.get(id);
    return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : undefined;
  }
}

function isList(value: ThriftValue | undefined): value is ThriftList {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'list';
}

/** A struct of fields given in ascending id order. */
export function structOf(fields: readonly (readonly [number, number, ThriftValue])[]): ThriftStruct {
  const struct = new ThriftStruct();
  for (const [id, type, value] of fields) struct.fields.set(id, { type, value });
  return struct;
}

export function listOf(elementType: number, items: ThriftValue[]): ThriftValue {
  return { kind: 'list', type: T.LIST, elementType, items };
}

/** Decodes one struct starting at `offset`; returns it and the offset after it. */
export function decodeStruct(
  bytes: Uint8Array,
  offset = 0,
  what = 'thrift struct',
): { struct: ThriftStruct; end: number } {
  const reader = new Reader(bytes, offset, what);
  const struct = reader.readStruct(0);
  return { struct, end: reader.at };
}

export function encodeStruct(struct: ThriftStruct): Uint8Array {
  const writer = new Writer();
  writer.writeStruct(struct);
  return writer.take();
}

const MAX_DEPTH = 64;

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public at: number,
    private readonly what: string,
  ) {}

  readStruct(depth: number): ThriftStruct {
    if (depth > MAX_DEPTH) throw this.fail('nested too deeply');
    const struct = new ThriftStruct();
    let last = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return struct;
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? this.zigzag32() : last + delta;
      last = id;
      struct.fields.set(id, { type, value: this.readValue(type, depth, true) });
    }
  }

  private readValue(type: number, depth: number, inField: boolean): ThriftValue {
    switch (type) {
      case T.TRUE:
        return inField ? true : this.byte() === 1;
      case T.FALSE:
        return inField ? false : this.byte() === 1;
      case T.BYTE:
        return (this.byte() << 24) >> 24;
      case T.I16:
      case T.I32:
        return this.zigzag32();
      case T.I64:
        return this.zigzag64();
      case T.DOUBLE: {
        this.need(8);
        const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, 8).getFloat64(0, true);
        this.at += 8;
        return value;
      }
      case T.BINARY: {
        const length = this.varint();
        this.need(length);
        const value = this.bytes.slice(this.at, this.at + length);
        this.at += length;
        return value;
      }
      case T.LIST:
      case T.SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const elementType = header & 0x0f;
        if (size > this.bytes.length - this.at) throw this.fail(`a list of ${size} items`);
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.readValue(elementType, depth + 1, false));
        return { kind: 'list', type, elementType, items };
      }
      case T.MAP: {
        const size = this.varint();
        const types = size > 0 ? this.byte() : 0;
        const keyType = types >> 4;
        const valueType = types & 0x0f;
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < size; i++) {
          entries.push([
            this.readValue(keyType, depth + 1, false),
            this.readValue(valueType, depth + 1, false),
          ]);
        }
        return { kind: 'map', keyType, valueType, entries };
      }
      case T.STRUCT:
        return this.readStruct(depth + 1);
      default:
        throw this.fail(`unknown field type ${type}`);
    }
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.at++];
  }

  private varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw this.fail('a 32-bit varint longer than 5 bytes');
  }

  private zigzag32(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private zigzag64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
      shift += 7n;
    }
    throw this.fail('a 64-bit varint longer than 10 bytes');
  }

  private need(n: number): void {
    if (this.at + n > this.bytes.length) throw this.fail('ends early');
  }

  private fail(why: string): SluiceError {
    return new SluiceError('FORMAT_INVALID', `${this.what}: ${why} (at byte ${this.at})`);
  }
}

class Writer {
  private buffer = new Uint8Array(1024);
  private at = 0;

  take(): Uint8Array {
    return this.buffer.slice(0, this.at);
  }

  writeStruct(struct: ThriftStruct): void {
    let last = 0;
    for (const [id, { type, value }] of struct.fields) {
      const wireType = typeof value === 'boolean' ? (value ? T.TRUE : T.FALSE) : type;
      const delta = id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | wireType);
      else {
        this.byte(wireType);
        this.zigzag32(id);
      }
      last = id;
      if (typeof value !== 'boolean') this.writeValue(type, value);
    }
    this.byte(0);
  }

  private writeValue(type: number, value: ThriftValue): void {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        // A bool outside a field header (in a list, set or map): 1 for true, 2 for false.
        this.byte(value === true ? T.TRUE : T.FALSE);
        return;
      case T.BYTE:
        this.byte(Number(value) & 0xff);
        return;
      case T.I16:
      case T.I32:
        this.zigzag32(Number(value));
        return;
      case T.I64:
        this.zigzag64(BigInt(value as number | bigint));
        return;
      case T.DOUBLE: {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setFloat64(0, value as number, true);
        this.bytes(bytes);
        return;
      }
      case T.BINARY: {
        const bytes = value as Uint8Array;
        this.varint(bytes.length);
        this.bytes(bytes);
        return;
      }
      case T.LIST:
      case T.SET: {
        const list = value as ThriftList;
        const size = list.items.length;
        if (size < 15) this.byte((size << 4) | list.elementType);
        else {
          this.byte(0xf0 | list.elementType);
          this.varint(size);
        }
        for (const item of list.items) this.writeValue(list.elementType, item);
        return;
      }
      case T.MAP: {
        const map = value as ThriftMap;
        this.varint(map.entries.length);
        if (map.entries.length > 0) this.byte((map.keyType << 4) | map.valueType);
        for (const [k, v] of map.entries) {
          this.writeValue(map.keyType, k);
          this.writeValue(map.valueType, v);
        }
        return;
      }
      case T.STRUCT:
        if (value instanceof ThriftStruct) this.writeStruct(value);
        else this.bytes((value as EncodedStruct).bytes);
        return;
      default:
        throw new SluiceError('FORMAT_INVALID', `thrift: cannot write field type ${type}`);
    }
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buffer[this.at++] = b;
  }

  private bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  private varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.byte((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  private zigzag32(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private zigzag64(n: bigint): void {
    let v = n >= 0n ? n << 1n : (-n << 1n) - 1n;
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private reserve(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.at + n));
    grown.set(this.buffer.subarray(0, this.at));
    this.buffer = grown;
  }
}
