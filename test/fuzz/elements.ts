/**
 * Reading one element of a numeric type from bytes, for the reference decoders: numpy's kinds
 * (b bool, i signed, u unsigned, f float) and sizes, either byte order, through DataView, which
 * is independent of how sluice decodes.
 */
export interface ElementType {
  readonly kind: 'b' | 'i' | 'u' | 'f';
  readonly size: number;
  readonly little: boolean;
}

/** The numeric types sluice reads, by numpy name. */
export const NUMPY_NAMES: Readonly<Record<string, Omit<ElementType, 'little'>>> = {
  int8: { kind: 'i', size: 1 },
  uint8: { kind: 'u', size: 1 },
  int16: { kind: 'i', size: 2 },
  uint16: { kind: 'u', size: 2 },
  int32: { kind: 'i', size: 4 },
  uint32: { kind: 'u', size: 4 },
  int64: { kind: 'i', size: 8 },
  uint64: { kind: 'u', size: 8 },
  float32: { kind: 'f', size: 4 },
  float64: { kind: 'f', size: 8 },
};

/** True for the (kind, size) pairs this decoder reads. */
export function isReadable(kind: string, size: number): boolean {
  if (kind === 'b') return size === 1;
  if (kind === 'i' || kind === 'u') return [1, 2, 4, 8].includes(size);
  if (kind === 'f') return size === 4 || size === 8;
  return false;
}

/** The element at `offset`: a number, or a bigint for 64-bit integers; bool as 0/1 (any non-zero byte is 1). */
export function readElement(view: DataView, offset: number, t: ElementType): number | bigint {
  const { kind, size, little } = t;
  if (kind === 'b') return view.getUint8(offset) !== 0 ? 1 : 0;
  if (kind === 'f') return size === 4 ? view.getFloat32(offset, little) : view.getFloat64(offset, little);
  const signed = kind === 'i';
  switch (size) {
    case 1:
      return signed ? view.getInt8(offset) : view.getUint8(offset);
    case 2:
      return signed ? view.getInt16(offset, little) : view.getUint16(offset, little);
    case 4:
      return signed ? view.getInt32(offset, little) : view.getUint32(offset, little);
    default:
      return signed ? view.getBigInt64(offset, little) : view.getBigUint64(offset, little);
  }
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
