// A worker thread starts as plain JavaScript. Compiled (dist/, where `npm run build` puts this
// file next to shard-worker.js) it imports the compiled shard worker under plain node; in src/
// it loads the TypeScript shard worker through tsx, as bin/sluice.js does for the main thread.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const compiled = new URL('./shard-worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./shard-worker.ts');
}
