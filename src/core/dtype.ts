/** Element types a column can hold. Names follow numpy. */
export const DTYPES = [
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
] as const;
export type DType = (typeof DTYPES)[number];

export type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** A typed array whose elements are JS numbers (everything but the 64-bit integers). */
export type NumberArray = Exclude<TypedArray, BigInt64Array | BigUint64Array>;

export interface TypedArrayConstructor<T extends TypedArray = TypedArray> {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

const CONSTRUCTORS: Record<DType, TypedArrayConstructor> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

export function arrayConstructorOf(dtype: DType): TypedArrayConstructor {
  return CONSTRUCTORS[dtype];
}

export function itemSizeOf(dtype: DType): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

export function isBigIntDType(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'uint64';
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function dtypeOf(data: TypedArray): DType {
  for (const dtype of DTYPES) if (data instanceof CONSTRUCTORS[dtype]) return dtype;
  throw new TypeError('not a supported typed array');
}

export function allocArray(dtype: DType, length: number): TypedArray {
  return new CONSTRUCTORS[dtype](length);
}
