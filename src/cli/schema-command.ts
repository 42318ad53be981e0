/** `sluice schema`: the JSON Schema (draft 2020-12) of a spec, for editors and CI linters. */
import { specJsonSchema } from '../pipeline/json-schema.ts';

export function schemaCommand(): void {
  process.stdout.write(`${JSON.stringify(specJsonSchema(), null, 2)}\n`);
}
