import { SluiceError } from '../core/errors.ts';
import type { LoadSpecOptions } from '../pipeline/spec-document.ts';

export interface CommonOptions {
  set?: string[];
  chunkRows?: number;
  io?: 'auto' | 'read' | 'mmap';
  verbose?: boolean;
  root?: string;
}

/** `--set k=v` pairs plus the shorthand flags, as spec overrides; `--root` for validation. */
export function specOptions(args: CommonOptions): LoadSpecOptions & { root?: string } {
  const set: Record<string, string | number> = {};
  for (const pair of args.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new SluiceError('USAGE', `--set expects key=value, got '${pair}'`, {
        hint: 'e.g. --set source.path=data/x.npy --set sinks[1].bins=500',
      });
    }
    set[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (args.chunkRows !== undefined) set['source.chunkRows'] = args.chunkRows;
  if (args.io !== undefined) set['source.io'] = args.io;
  return { set, root: args.root };
}
