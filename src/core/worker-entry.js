// The entry of a one-call worker thread (worker-call.ts), plain JavaScript as a worker starts.
// It imports the module named in workerData (a path under src/ without extension): compiled
// (dist/, where `npm run build` puts this file next to the compiled modules) under plain node,
// or the TypeScript source through tsx. It calls the module's default export with the input
// and posts back the result, or the error as SluiceError.toJSON() gives it.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { module, input } = workerData;

async function load() {
  const compiled = new URL(`../${module}.js`, import.meta.url);
  if (existsSync(compiled)) return import(compiled.href);
  // Only in a clone running src/: tsx is a devDependency, and an installed package has dist/.
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`../${module}.ts`, import.meta.url).href);
}

try {
  const { default: call } = await load();
  parentPort.postMessage({ kind: 'done', value: await call(input) });
} catch (error) {
  const json =
    error && typeof error.toJSON === 'function'
      ? error.toJSON()
      : { code: 'STAGE_FAILED', message: String(error?.message ?? error) };
  parentPort.postMessage({ kind: 'error', error: json });
}
