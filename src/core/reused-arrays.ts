/**
 * Where a stage gets the arrays it emits per batch: new ones, or, when the runner pulls batches
 * strictly (`ReadOptions.reuseBuffers`, `TransformContext.reuseBuffers`), the arrays of the
 * previous batch again. Fresh arrays per batch are garbage V8 collects only after ~64 MB of
 * them pile up, which was most of a pipeline's peak RSS.
 */
import type { TypedArray } from './dtype.ts';

type ArrayConstructor<T extends TypedArray> = new (length: number) => T;

export class ReusedArrays {
  private readonly held = new Map<string, TypedArray>();

  constructor(private readonly reuse: boolean) {}

  /** An array of `length` values for the output `key` (a reused one is not cleared). */
  take<T extends TypedArray>(key: string, type: ArrayConstructor<T>, length: number): T {
    if (!this.reuse) return new type(length);
    const held = this.held.get(key);
    if (held instanceof type && held.length >= length) return held.subarray(0, length) as T;
    const fresh = new type(length);
    this.held.set(key, fresh);
    return fresh;
  }
}
