// Builds the optional native mmap addon (native/mmap.cc -> build/Release/sluice_mmap.node).
// Run by npm's "install" script. It must never fail the installation: without the addon,
// src/io falls back to positioned reads, which are correct, only sometimes slower.
//
// Set SLUICE_SKIP_ADDON=1 to skip the build (to test or force the read backend).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonPath = join(root, 'build', 'Release', 'sluice_mmap.node');
const logPath = join(root, 'build', 'addon-build.log');

function giveUp(reason) {
  console.log(`sluice: native mmap addon not built (${reason}); the read backend will be used`);
  process.exit(0);
}

/** How to run node-gyp: npm's bundled copy first (it is what lifecycle scripts are given). */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return { command: process.execPath, args: [fromNpm] };
  const bundled = join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  if (existsSync(bundled)) return { command: process.execPath, args: [bundled] };
  const probe = spawnSync('node-gyp', ['--version'], { stdio: 'ignore' });
  if (probe.status === 0) return { command: 'node-gyp', args: [] };
  return undefined;
}

/**
 * Installed headers matching this Node, so the build never tries to download them (this must
 * work offline). npm passes its `nodedir` config as npm_config_nodedir, which node-gyp reads
 * itself; outside npm, the headers beside the running node are used when their version matches.
 */
function findNodeDir() {
  if (process.env.npm_config_nodedir) return undefined;
  const prefix = join(dirname(process.execPath), '..');
  try {
    const header = readFileSync(join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => header.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
    const version = `v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
    return version === process.version ? prefix : undefined;
  } catch {
    return undefined;
  }
}

/** The most telling line of node-gyp's output, for the one-line message. */
function summarize(output) {
  const lines = output.split('\n').map((line) => line.trim());
  // Most specific first: a compiler error, gyp's own complaint, then node-gyp's error.
  const patterns = [/\berror:/, /^gyp: /, /^gyp ERR! stack \w*Error/, /^make: \*\*\*/];
  for (const pattern of patterns) {
    const line = lines.find((candidate) => pattern.test(candidate));
    if (line) return line.slice(0, 200);
  }
  return (lines.filter(Boolean).pop() ?? 'unknown error').slice(0, 200);
}

function build() {
  if (process.env.SLUICE_SKIP_ADDON) giveUp('SLUICE_SKIP_ADDON is set');
  if (process.platform === 'win32') giveUp('mmap addon is POSIX only');
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) giveUp('node-gyp not found');

  const nodeDir = findNodeDir();
  const args = [...nodeGyp.args, 'rebuild', ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])];
  const result = spawnSync(nodeGyp.command, args, { cwd: root, encoding: 'utf8', timeout: 300_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0 || !existsSync(addonPath)) {
    mkdirSync(dirname(logPath), { recursive: true });
    writeFileSync(logPath, output);
    const reason = result.error ? result.error.message : summarize(output);
    giveUp(`${reason}; full log in build/addon-build.log`);
  }
  console.log('sluice: native mmap addon built (build/Release/sluice_mmap.node)');
}

build();
