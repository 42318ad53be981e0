/**
 * A run killed outright (SIGKILL) leaves `.<name>.sluice-tmp-<pid>-<random>` beside its
 * output. The next run writing that output removes such files once their process is gone, and
 * says so once in its log; a live writer's file stays.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleTemporaries } from '../../src/io/atomic-file.ts';
import { run } from '../../src/pipeline/api.ts';
import { runCli } from '../support/cli.ts';

const ATOMIC_FILE = join(import.meta.dirname, '../../src/io/atomic-file.ts');
const dirs: string[] = [];
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-stale-'));
  dirs.push(dir);
  return dir;
}

/** A pid no process has any more: a child that has exited and been reaped. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

/**
 * Starts a process that opens `out` through createAtomicFile, writes a little and waits;
 * resolves to it and its temporary file once the file exists.
 */
async function startWriter(out: string): Promise<{ child: ReturnType<typeof spawn>; tempPath: string }> {
  const script = join(freshDir(), 'writer.mts');
  writeFileSync(
    script,
    `import { createAtomicFile } from ${JSON.stringify(ATOMIC_FILE)};
const file = await createAtomicFile(process.argv[2]);
await file.write('partial');
process.stdout.write(file.tempPath + '\\n');
setInterval(() => {}, 1000);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, out], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, tempPath: line.toString().trim() };
}

describe('stale temporary files', () => {
  it('removes those of a writer killed with SIGKILL, and leaves a live writer’s alone', async () => {
    const out = join(freshDir(), 'sub', 'out.json');
    const { child, tempPath } = await startWriter(out);
    expect(tempPath).toMatch(new RegExp(`/\\.out\\.json\\.sluice-tmp-${child.pid}-[0-9a-f]{12}$`));
    expect(await removeStaleTemporaries(out)).toEqual([]);
    expect(existsSync(tempPath)).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(existsSync(tempPath)).toBe(true); // nothing removes it on its own
    expect(await removeStaleTemporaries(out)).toEqual([tempPath]);
    expect(existsSync(tempPath)).toBe(false);
  });

  it('touches only the temporary files of that output, with a pid that is gone', async () => {
    const dir = freshDir();
    const dead = deadPid();
    const names = [
      `.out.json.sluice-tmp-${dead}-0123456789ab`, // stale: removed
      `.out.json.sluice-tmp-${process.pid}-0123456789ab`, // this process: alive
      `.other.json.sluice-tmp-${dead}-0123456789ab`, // another output
      `.out.json.sluice-tmp-x${dead}-0123456789ab`, // not our naming
      'out.json', // an existing output is not a temporary file
    ];
    for (const name of names) writeFileSync(join(dir, name), '');
    expect(await removeStaleTemporaries(join(dir, 'out.json'))).toEqual([join(dir, names[0])]);
    expect(readdirSync(dir).sort()).toEqual(names.slice(1).sort());
    expect(await removeStaleTemporaries(join(dir, 'missing-dir', 'out.json'))).toEqual([]);
  });

  it('a run writing the output removes them and says so once in its log', async () => {
    const dir = freshDir();
    const out = join(dir, 'stats.json');
    const dead = deadPid();
    const stale = [0, 1].map((i) => join(dir, `.stats.json.sluice-tmp-${dead}-${i}0000000000a`));
    const live = join(dir, `.stats.json.sluice-tmp-${process.pid}-0000000000ff`);
    for (const path of [...stale, live]) writeFileSync(path, 'partial');
    const log: string[] = [];
    const report = await run(
      { source: { type: 'npy', path: 'test/fixtures/npy/f4-sine.npy' }, sinks: [{ type: 'stats', out }] },
      { log: (message) => log.push(message) },
    );
    expect(report.sinks[0].outputs).toEqual([out]);
    const said = log.filter((message) => message.includes('temporary'));
    expect(said).toEqual([`removed 2 temporary files left by killed runs: ${stale.join(', ')}`]);
    expect(readdirSync(dir).sort()).toEqual([
      '.stats.json.sluice-tmp-' + process.pid + '-0000000000ff',
      'stats.json',
    ]);
  });

  it('`sluice run --verbose` prints that line', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'out'));
    const stale = join(dir, 'out', `.s.json.sluice-tmp-${deadPid()}-0123456789ab`);
    writeFileSync(stale, '');
    const spec = join(dir, 'spec.yaml');
    writeFileSync(
      spec,
      `source: { type: npy, path: test/fixtures/npy/f4-sine.npy }\nsinks: [{ type: stats, out: ${dir}/out/s.json }]\n`,
    );
    const result = await runCli(['run', spec, '--verbose', '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`sluice: removed 1 temporary file left by killed runs: ${stale}`);
    expect(readdirSync(join(dir, 'out'))).toEqual(['s.json']);
  });
});
