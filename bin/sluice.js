#!/usr/bin/env node
// Runs the compiled CLI (dist/, which `npm install` builds with `npm run build`) under plain
// node. When dist/ is missing or older than src/ (a source edited since the last build), runs
// the TypeScript sources through tsx instead, so an edit takes effect without a rebuild; tsx's
// loader thread costs ~40 MB RSS, which is why dist/ is preferred.
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

let main;
if (distIsCurrent()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  if (process.argv.includes('--verbose')) {
    process.stderr.write(
      'sluice: dist/ is missing or older than src/; running src/ through tsx (npm run build)\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main();
