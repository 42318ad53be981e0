#!/usr/bin/env node
// Runs the compiled CLI (dist/, which `npm install` builds with `npm run build`, and which the
// published package ships) under plain node. In a clone where a file under src/ is newer than
// the last build, runs the TypeScript sources through tsx instead, so an edit takes effect
// without a rebuild, but only when tsx is installed: it is a devDependency, never a runtime
// one, so a user's install runs dist/ and never loads tsx or esbuild. tsx's loader thread
// costs ~40 MB RSS, which is why dist/ is preferred.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// V8 doubles its young generation whenever it fills quickly, up to 2 × 16 MB, and keeps it.
// sluice's hot loops allocate nothing, so the growth only holds garbage: `npm run bench`
// measured 20–25 MB less peak RSS for the EPOS correction without it, at the same speed (welch
// too). V8 reads this flag each time it would grow the space, so setting it now takes effect.
setFlagsFromString('--semi-space-growth-factor=1');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest mtime of `dir` and everything under it (a deleted file changes its directory's). */
function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Whether dist/ was built completely (scripts/build.js writes the stamp last, dated when the
 * build started) and no source is newer. A package without src/ runs dist/.
 */
function distIsCurrent() {
  let built;
  try {
    built = statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return false;
  }
  const src = join(root, 'src');
  if (!existsSync(src)) return true;
  try {
    return newestUnder(src) <= built;
  } catch {
    return false; // a file renamed or deleted during the walk: an edit in progress
  }
}

/** tsx's loader, or undefined when tsx (a devDependency) is not installed. */
async function loadTsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

const verbose = process.argv.includes('--verbose');
const hasDist = existsSync(join(root, 'dist', 'cli', 'main.js'));
let main;
const tsx = distIsCurrent() ? undefined : await loadTsx();
if (tsx) {
  if (verbose) {
    process.stderr.write(
      'sluice: dist/ is missing or older than src/; running src/ through tsx (npm run build)\n',
    );
  }
  tsx.register();
  ({ main } = await import('../src/cli/main.ts'));
} else if (hasDist) {
  if (verbose && !distIsCurrent()) {
    process.stderr.write(
      'sluice: src/ is newer than dist/ and tsx is not installed; running dist/ (npm run build)\n',
    );
  }
  ({ main } = await import('../dist/cli/main.js'));
} else {
  process.stderr.write(
    'sluice: dist/ is not built and tsx (a devDependency) is not installed: run `npm run build` in the clone\n',
  );
  process.exit(1);
}
process.exitCode = await main();
