// `npm run build`: compiles src/ to plain ESM JavaScript and declarations in dist/
// (tsconfig.build.json), then writes dist/.build-stamp, dated when the build started.
// bin/sluice.js runs dist/ only while no file under src/ is newer than the stamp, and otherwise
// runs src/ through tsx.
//
// The build does not type-check (noCheck; `npm run typecheck` does), so type errors never stop
// it; what does (a syntax error) leaves no stamp, so bin/sluice.js runs src/ through tsx,
// which reports the error as it would without a build.
//
// `prepare` runs this with --if-possible on `npm install` and `npm ci`: like the addon build,
// it must never fail an install, so a failure there is a warning and bin/sluice.js keeps
// running the sources through tsx (also when TypeScript, a devDependency, is not installed).
import { rmSync, writeFileSync, utimesSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');
const ifPossible = process.argv.includes('--if-possible');

/** Ends the build: a failure is only a warning with --if-possible. */
function fail(message, code = 1) {
  console.error(`sluice build: ${message}`);
  if (ifPossible) {
    console.error('sluice build: bin/sluice.js will run the TypeScript sources through tsx instead.');
    process.exit(0);
  }
  process.exit(code);
}

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  fail('TypeScript is not installed (a devDependency); dist/ was not built.');
}

// Taken before tsc reads the sources, so an edit made during the build counts as newer.
const started = new Date();
rmSync(stamp, { force: true });
rmSync(dist, { recursive: true, force: true });

const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (result.error) fail(`could not run tsc: ${result.error.message}`);
if (result.status !== 0)
  fail(`tsc failed (exit ${result.status ?? result.signal}); dist/ is not used.`, result.status ?? 1);
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
