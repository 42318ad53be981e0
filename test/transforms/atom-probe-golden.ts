/** Loads the atom-probe goldens (test/fixtures/make_atom_probe_goldens.py): columns from .npy files. */
import type { TypedArray } from '../../src/core/dtype.ts';
import { goldenPath, readGolden } from '../support/golden.ts';
import { readNpy } from '../support/read-npy.ts';

export interface AtomProbeGolden<E = unknown> {
  readonly params: Record<string, unknown>;
  readonly expected: E;
  readonly inputs: Record<string, TypedArray>;
  readonly outputs: Record<string, TypedArray>;
}

export function loadAtomProbeGolden<E = unknown>(stage: string, name: string): AtomProbeGolden<E> {
  const doc = readGolden<{
    params: Record<string, unknown>;
    expected: E;
    inputs: Record<string, string>;
    outputs?: Record<string, string>;
  }>(stage, name);
  const load = (files: Record<string, string> = {}) =>
    Object.fromEntries(
      Object.entries(files).map(([col, file]) => [col, readNpy(goldenPath(stage, file)).data]),
    );
  return { params: doc.params, expected: doc.expected, inputs: load(doc.inputs), outputs: load(doc.outputs) };
}
