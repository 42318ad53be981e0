/**
 * Every h5wasm call of the read side goes through `Hdf5Library.call`, which turns each way
 * libhdf5 fails into one SluiceError naming the file and the dataset. libhdf5 fails in two
 * ways, and h5wasm passes on only the first: a thrown `Error` (often just "error - name not
 * defined!"), or a status it ignores, so that a failed read returns the zeros of its buffer.
 * Both print libhdf5's error stack ("HDF5-DIAG: Error detected …") to the WASM module's
 * stderr. So while a call runs, that stream is captured instead of printed
 * (`withH5wasmStderr`): a stack is the failure (even when the call returned), and its
 * outermost and innermost lines become the error's message.
 */
import { resolve } from 'node:path';
import type { Dataset, File as H5File } from 'h5wasm/node';
import type { ErrorCode } from '../../core/errors.ts';
import { SluiceError } from '../../core/errors.ts';
import type { H5wasmModule } from '../../io/lazy.ts';
import { loadH5wasm, withH5wasmStderr } from '../../io/lazy.ts';

/** What a call does, for its error: `${path}: HDF5 library failed ${doing} ${dataset}: …`. */
export interface CallSite {
  /** The file, as the user gave it. */
  readonly path: string;
  /** The dataset or group the call is about. */
  readonly dataset?: string;
  /** What the call does, a gerund: 'opening', 'reading rows [0, 100) of'. */
  readonly doing: string;
}

/** A call's outcome with libhdf5's error stack, when it printed one. */
interface Attempt<T> {
  readonly value?: T;
  readonly threw: boolean;
  readonly error?: unknown;
  readonly stack?: string;
}

/** What an h5wasm entity lookup gives: a dataset, a group, something else, or nothing. */
export type H5Entity = ReturnType<H5File['get']>;

/** Longest error stack kept: a corrupt file can make libhdf5 print pages. */
const MAX_STACK_CHARS = 64 * 1024;

/** h5wasm with every call guarded. */
export class Hdf5Library {
  constructor(readonly h5wasm: H5wasmModule) {}

  /** `fn`'s result; a throw, or an error stack libhdf5 printed meanwhile, is a SluiceError. */
  call<T>(site: CallSite, fn: () => T): T {
    const attempt = this.attempt(fn);
    if (attempt.threw && attempt.error instanceof SluiceError) throw attempt.error;
    if (attempt.threw || attempt.stack !== undefined) throw libraryError(site, attempt);
    return attempt.value as T;
  }

  /** `path` opened read-only. */
  open(path: string): H5File {
    const site = { path, doing: 'opening the file' };
    const file = this.call(site, () => new this.h5wasm.File(resolve(path), 'r'));
    if (file.file_id < 0n) throw libraryError(site, { threw: false, stack: undefined });
    return file;
  }

  /** Closes `file`; a failure is a SluiceError. */
  close(file: H5File, path: string): void {
    const status = this.call({ path, doing: 'closing the file' }, () => file.close());
    if (status < 0) throw libraryError({ path, doing: 'closing the file' }, { threw: false });
  }

  /**
   * The entity at `name` (absolute, or relative to the root), null when there is none. h5wasm
   * asks libhdf5 for the object's type, and for a name that runs through a dataset
   * (`/signal/x`) libhdf5 fails with a stack and h5wasm returns a made-up type. So when
   * libhdf5 complains, the name's parent decides: no such child, or the parent is no group,
   * is "not found"; a child that is listed but cannot be opened is a corrupt file.
   */
  get(file: H5File, name: string, path: string): H5Entity {
    const attempt = this.attempt(() => file.get(name));
    if (!attempt.threw && attempt.stack === undefined) return attempt.value as H5Entity;
    if (attempt.error instanceof SluiceError) throw attempt.error;
    const parts = name.split('/').filter(Boolean);
    const site = { path, dataset: name, doing: 'opening' };
    if (parts.length === 0) throw libraryError(site, attempt);
    const parentName = `/${parts.slice(0, -1).join('/')}`;
    const parent = parts.length === 1 ? file : this.get(file, parentName, path);
    if (!(parent instanceof this.h5wasm.Group)) return null;
    const keys = this.call({ path, dataset: parentName, doing: 'listing' }, () => parent.keys());
    if (!keys.includes(parts[parts.length - 1])) return null;
    throw libraryError(site, attempt);
  }

  /** Rows [first, end) of a 1-D or 2-D dataset, a new array in native byte order. */
  readRows(dataset: Dataset, first: number, end: number, path: string): unknown {
    const site = { path, dataset: dataset.path, doing: `reading rows [${first}, ${end}) of` };
    return this.call(site, () => dataset.slice([[first, end]]));
  }

  private attempt<T>(fn: () => T): Attempt<T> {
    const captured: string[] = [];
    let size = 0;
    const keep = (text: string) => {
      if (size < MAX_STACK_CHARS) captured.push(text);
      size += text.length;
    };
    let attempt: Omit<Attempt<T>, 'stack'>;
    try {
      attempt = { value: withH5wasmStderr(keep, fn), threw: false };
    } catch (error) {
      attempt = { threw: true, error };
    }
    const text = captured.join('');
    return text.includes('HDF5-DIAG') ? { ...attempt, stack: text } : attempt;
  }
}

/** The guarded h5wasm, its WASM instance ready. */
export async function loadHdf5Library(): Promise<Hdf5Library> {
  return new Hdf5Library(await loadH5wasm());
}

/** The SluiceError of a failed call: libhdf5's innermost complaint, or what h5wasm threw. */
export function libraryError(site: CallSite, attempt: Omit<Attempt<unknown>, 'value'>): SluiceError {
  const thrown = attempt.threw
    ? attempt.error instanceof Error
      ? attempt.error.message
      : String(attempt.error)
    : undefined;
  const overflow = attempt.error instanceof RangeError && /call stack/i.test(thrown ?? '');
  const said = overflow
    ? 'libhdf5 recursed without end (a cycle in the file’s B-trees or groups)'
    : (summarizeStack(attempt.stack) ?? thrown ?? 'failed without saying why');
  const what = `${site.path}: HDF5 library failed ${site.doing}${site.dataset ? ` ${site.dataset}` : ''}: ${said}`;
  const [code, hint] = classify(attempt.stack, thrown);
  return new SluiceError(code, what, { path: site.path, hint, cause: attempt.error });
}

function classify(stack: string | undefined, thrown: string | undefined): [ErrorCode, string] {
  if (stack === undefined && /^(Requested allocation|Memory allocation) of/.test(thrown ?? '')) {
    return [
      'RANGE_INVALID',
      'a batch of this dataset does not fit in h5wasm’s 2 GiB of memory; lower chunkRows',
    ];
  }
  if (/plugin|filter .*not (registered|available)/i.test(stack ?? '')) {
    return [
      'FORMAT_UNSUPPORTED',
      'the dataset uses a filter h5wasm lacks (only gzip, shuffle, fletcher32, szip, nbit, scaleoffset are built in); re-save it with h5repack -f GZIP=4',
    ];
  }
  return ['FORMAT_INVALID', 'the HDF5 file is corrupt or truncated (h5dump or h5py would fail on it too)'];
}

/**
 * The gist of a libhdf5 error stack: its outermost and innermost descriptions
 * ("can't synchronously read data … bad coordinate offset"), from lines such as
 * `  #015: …/H5Dbtree.c line 647 in H5D__btree_decode_key(): bad coordinate offset`.
 */
export function summarizeStack(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  const first = stack.split(/^HDF5-DIAG:/m).find((s) => /#\d+:/.test(s)) ?? stack;
  const lines = [...first.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)$/gm)].map((m) => m[1].trim());
  if (lines.length === 0) return stack.trim().split('\n')[0];
  const outer = lines[0];
  const inner = lines[lines.length - 1];
  return outer === inner ? `libhdf5: ${inner}` : `libhdf5: ${outer} … ${inner}`;
}
