/** The input generator of every fuzzed format: the explicit list. */
import type { FuzzFormat, InputGenerator } from './fuzz-input.ts';
import { containerGenerators } from './container-inputs.ts';
import { dafGenerators } from './daf-inputs.ts';
import { npyGenerator } from './npy-inputs.ts';
import { recordGenerators } from './record-inputs.ts';
import { specGenerator } from './spec-inputs.ts';
import { tabularGenerators } from './tabular-inputs.ts';

const makers: Record<FuzzFormat, () => InputGenerator> = {
  npy: npyGenerator,
  ...recordGenerators,
  ...containerGenerators,
  ...dafGenerators,
  ...tabularGenerators,
  spec: specGenerator,
};

const made = new Map<FuzzFormat, InputGenerator>();

/** The generator of `format`, built once (it reads its base files). */
export function generatorFor(format: FuzzFormat): InputGenerator {
  let generator = made.get(format);
  if (!generator) {
    generator = makers[format]();
    made.set(format, generator);
  }
  return generator;
}
