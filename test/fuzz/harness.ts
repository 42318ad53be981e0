/**
 * The fuzz harness: generates inputs from a seed, runs each in a long-lived child process
 * (child.ts) with a time limit and a memory ceiling, judges it (verdict.ts), and keeps every
 * failing input under test/fuzz/.failures/ with what it takes to replay it. Used by the
 * test/fuzz/*.test.ts suites and by `npm run fuzz`.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { FuzzFormat, FuzzInput, InputGenerator } from './fuzz-input.ts';
import type { ChildNotice, ChildReply, ChildRequest } from './protocol.ts';
import { Rng } from './rng.ts';
import type { ChildResult, Judgement } from './verdict.ts';
import { judge } from './verdict.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CHILD = join(import.meta.dirname, 'child.ts');
export const FAILURES_DIR = join(import.meta.dirname, '.failures');

export interface HarnessOptions {
  /** Per input; the child is killed and restarted past it. */
  readonly timeoutMs?: number;
  /** Peak RSS an input may reach (default 1 GiB). */
  readonly memoryBytes?: number;
  /** Where failing inputs are kept (default test/fuzz/.failures); null keeps none. */
  readonly failuresDir?: string | null;
  readonly onResult?: (result: InputResult) => void;
}

export interface InputResult extends Judgement {
  readonly input: FuzzInput;
  readonly seed: number;
  readonly ms: number;
}

/** One child process; restarted by `run` after a hang, a death or a memory overrun. */
class FuzzChild {
  /** Errors the child caught after it had replied for their input: request id → what. */
  readonly late = new Map<number, string>();
  private child?: ChildProcess;
  private stderr = '';
  private pending?: { readonly id: number; readonly settle: (result: ChildResult | 'retry') => void };
  private ready?: Promise<void>;

  constructor(private readonly memoryBytes: number) {}

  private start(): Promise<void> {
    const heapMiB = Math.floor(this.memoryBytes / 2 ** 20);
    // A data-size limit (twice the ceiling) keeps a runaway allocation from taking the machine:
    // it fails inside the child instead. V8's reserved-but-unused address space is not counted.
    const dataKiB = Math.floor((2 * this.memoryBytes) / 1024);
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        `ulimit -d ${dataKiB} 2>/dev/null; exec "$@"`,
        'sh',
        process.execPath,
        `--max-old-space-size=${heapMiB}`,
        '--import',
        'tsx',
        CHILD,
      ],
      { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' },
    );
    this.child = child;
    this.stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.ready = new Promise((resolveReady, rejectReady) => {
      const timer = setTimeout(
        () => rejectReady(new Error(`fuzz child did not start: ${this.stderr}`)),
        60_000,
      );
      child.on('message', (message: ChildReply | ChildNotice) => {
        if ('ready' in message && message.ready) {
          clearTimeout(timer);
          resolveReady();
        } else if ('fatal' in message && message.fatal) {
          if (this.pending?.id === message.id) this.settle({ kind: 'fatal', detail: message.fatal });
          else {
            // Its input had its reply already: that input failed; the one running starts over.
            this.late.set(message.id, message.fatal);
            this.stop('retry');
          }
        } else if (this.pending?.id === message.id)
          this.settle({ kind: 'reply', reply: message as ChildReply });
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child !== child) return; // stopped on purpose
        this.child = undefined;
        const detail = `exit ${code ?? signal}; stderr: ${this.stderr.trim().split('\n').slice(-6).join(' | ').slice(0, 600)}`;
        this.settle({ kind: 'death', detail });
        rejectReady(new Error(`fuzz child exited before it was ready: ${detail}`));
      });
    });
    this.ready.catch(() => {});
    return this.ready;
  }

  private settle(result: ChildResult | 'retry'): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.settle(result);
  }

  private async attempt(request: ChildRequest, timeoutMs: number): Promise<ChildResult | 'retry'> {
    if (!this.child) await this.start();
    else await this.ready;
    const child = this.child;
    if (!child) return { kind: 'death', detail: 'the child was gone before the input' };
    const result = await new Promise<ChildResult | 'retry'>((resolveResult) => {
      const timer = setTimeout(() => this.settle({ kind: 'timeout', ms: timeoutMs }), timeoutMs);
      this.pending = {
        id: request.id,
        settle: (r) => {
          clearTimeout(timer);
          resolveResult(r);
        },
      };
      child.send(request);
    });
    const overRss = result !== 'retry' && result.kind === 'reply' && result.reply.maxRss > this.memoryBytes;
    if (result !== 'retry' && (result.kind !== 'reply' || overRss)) this.stop();
    return result;
  }

  async run(request: ChildRequest, timeoutMs: number): Promise<ChildResult> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await this.attempt(request, timeoutMs);
      if (result !== 'retry') return result;
    }
    return { kind: 'death', detail: 'the child was restarted three times during the input' };
  }

  /** Kills the child; an input in flight settles as `retry` (or is dropped). */
  stop(pending?: 'retry'): void {
    const child = this.child;
    this.child = undefined;
    if (pending) this.settle(pending);
    else this.pending = undefined;
    child?.kill('SIGKILL');
  }
}

function writeFiles(dir: string, input: Pick<FuzzInput, 'files' | 'links'>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(input.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  for (const [name, target] of Object.entries(input.links ?? {})) symlinkSync(target, join(dir, name));
}

/** Where a spec run confined to `<work>/input` must never write; removed when found. */
const OUTSIDE = '/tmp/sluice-fuzz-escape.json';

/** Files a spec run wrote outside its --root: anything in the work directory but `input`. */
function escapes(work: string): string[] {
  const found = readdirSync(work)
    .filter((name) => name !== 'input')
    .map((name) => join(work, name));
  if (existsSync(OUTSIDE)) found.push(OUTSIDE);
  for (const path of found) rmSync(path, { recursive: true, force: true });
  return found;
}

function requestFor(input: FuzzInput, id: number, dir: string): ChildRequest {
  if (input.probe) return { id, kind: 'probe', probe: input.probe };
  if (input.spec) {
    const { file, env, set } = input.spec;
    const text = new TextDecoder().decode(input.files[file]);
    return { id, kind: 'spec', path: join(dir, file), text, cwd: dir, root: dir, env, set };
  }
  const read = input.read;
  if (!read) throw new Error(`input ${input.format}#${input.index} names nothing to read`);
  // inspect as a user would: with the file's params (dataset, matrix, …), the format detected.
  const { type: _type, chunkRows: _chunkRows, ...params } = read.source;
  return {
    id,
    kind: 'file',
    path: join(dir, read.file),
    source: read.source,
    inspectType: read.inspectType,
    inspectParams: read.inspectParams ?? params,
  };
}

/** Keeps a failing input and how to replay it. */
function keepFailure(dir: string, result: InputResult): void {
  const { input, seed } = result;
  const into = join(dir, `${input.format}-seed${seed}-${input.index}`);
  writeFiles(into, { files: input.files });
  const meta = {
    replay: `npm run fuzz -- --seed ${seed} --format ${input.format} --index ${input.index}`,
    format: input.format,
    seed,
    index: input.index,
    base: input.base,
    mutation: input.mutation,
    read: input.read,
    spec: input.spec,
    expect: input.expect.kind === 'values' ? { kind: 'values', rows: input.expect.rows } : input.expect,
    reason: result.reason,
  };
  writeFileSync(join(into, 'failure.json'), JSON.stringify(meta, null, 2) + '\n');
}

/** Inputs `indexes` of `format` from `seed`. */
export function* generateInputs(
  generator: InputGenerator,
  format: FuzzFormat,
  seed: number,
  indexes: Iterable<number>,
): Generator<FuzzInput> {
  for (const index of indexes) {
    try {
      yield generator(Rng.forInput(seed, format, index), index);
    } catch (error) {
      // A bug of the fuzz suite itself (a generator or a reference), not of sluice.
      throw new Error(`fuzz generator of ${format} failed at seed ${seed} index ${index}`, { cause: error });
    }
  }
}

/** Runs inputs one after another in one child; resolves to every input's judgement. */
export async function runInputs(
  inputs: Iterable<FuzzInput>,
  seed: number,
  options: HarnessOptions = {},
): Promise<InputResult[]> {
  const memoryBytes = options.memoryBytes ?? 2 ** 30;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const failuresDir = options.failuresDir === undefined ? FAILURES_DIR : options.failuresDir;
  const work = mkdtempSync(join(tmpdir(), 'sluice-fuzz-'));
  const child = new FuzzChild(memoryBytes);
  const results: InputResult[] = [];
  const finish = (result: InputResult) => {
    if (result.verdict === 'failure' && failuresDir) keepFailure(failuresDir, result);
    options.onResult?.(result);
  };
  /** An error caught after its input's reply fails that input: its result is replaced. */
  const attributeLate = () => {
    for (const [id, detail] of child.late) {
      const previous = results[id - 1];
      if (previous && previous.verdict !== 'failure') {
        results[id - 1] = { ...previous, verdict: 'failure', reason: `after its reply: ${detail}` };
        finish(results[id - 1]);
      }
    }
    child.late.clear();
  };
  try {
    for (const input of inputs) {
      const dir = join(work, 'input');
      writeFiles(dir, input);
      const started = performance.now();
      const outcome = await child.run(requestFor(input, results.length + 1, dir), timeoutMs);
      const escaped = input.spec ? escapes(work) : [];
      const judged: Judgement = escaped.length
        ? { verdict: 'failure', reason: `wrote outside --root: ${escaped.join(', ')}` }
        : judge(input, outcome, memoryBytes);
      results.push({ ...judged, input, seed, ms: performance.now() - started });
      attributeLate();
      if (results[results.length - 1].verdict === judged.verdict) finish(results[results.length - 1]);
    }
    await new Promise((r) => setTimeout(r, 100)); // a late error of the last input
    attributeLate();
  } finally {
    child.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
