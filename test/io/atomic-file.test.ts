import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAtomicFile, temporaryName, writeFileAtomic } from '../../src/io/atomic-file.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-atomic-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function freshPath(name = 'out.bin'): string {
  return join(root, `case-${++count}`, 'sub', name);
}

describe('atomic files', () => {
  it('names the temporary file after the output, hidden, per process', () => {
    expect(temporaryName('a.npy')).toMatch(
      new RegExp(`^\\.a\\.npy\\.sluice-tmp-${process.pid}-[0-9a-f]{12}$`),
    );
    expect(temporaryName('a.npy')).not.toBe(temporaryName('a.npy'));
  });

  it('writes under the temporary name and renames on commit, creating parent directories', async () => {
    const path = freshPath();
    const file = await createAtomicFile(path);
    expect(dirname(file.tempPath)).toBe(dirname(path));
    expect(basename(file.tempPath)).toBe(readdirSync(dirname(path))[0]);
    await file.write('head,');
    await file.write(new Uint8Array([0x62, 0x6f, 0x64, 0x79]));
    expect(readdirSync(dirname(path))).toEqual([basename(file.tempPath)]);
    await Promise.all([file.commit(), file.commit()]);
    await file.commit();
    await file.abort(); // after a commit: nothing to undo
    expect(readFileSync(path, 'utf8')).toBe('head,body');
    expect(readdirSync(dirname(path))).toEqual([basename(path)]);
  });

  it('abort removes the temporary file, is idempotent, and forbids a later commit', async () => {
    const path = freshPath();
    const file = await createAtomicFile(path);
    await file.write('partial');
    await file.abort();
    await file.abort();
    await expect(file.commit()).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(file.write('more')).rejects.toMatchObject({ code: 'IO_WRITE' });
    expect(readdirSync(dirname(path))).toEqual([]);
  });

  it('refuses an existing output unless overwrite', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'old');
    await expect(writeFileAtomic(path, 'new')).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
      path,
      hint: 'use --overwrite',
    });
    expect(readFileSync(path, 'utf8')).toBe('old');
    await writeFileAtomic(path, 'new', { overwrite: true });
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dirname(path))).toEqual([basename(path)]);
  });

  it('refuses at commit an output that appeared meanwhile, and removes its temporary file', async () => {
    const path = freshPath();
    const file = await createAtomicFile(path);
    await file.write('mine');
    writeFileSync(path, 'theirs');
    await expect(file.commit()).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readFileSync(path, 'utf8')).toBe('theirs');
    expect(readdirSync(dirname(path))).toEqual([basename(path)]);
  });

  it('reports an unwritable location as IO_WRITE with the path', async () => {
    const blocker = freshPath('file');
    mkdirSync(dirname(blocker), { recursive: true });
    writeFileSync(blocker, '');
    const path = join(blocker, 'out.json'); // a file where a directory should be
    await expect(writeFileAtomic(path, '{}')).rejects.toMatchObject({ code: 'IO_WRITE', path });
  });
});
