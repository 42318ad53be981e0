// A worker thread starts as plain JavaScript; it loads the TypeScript shard worker through
// tsx, as bin/sluice.js does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
