/**
 * One stage's module loaded alone, for a worker thread that runs a few stages (shard-worker.ts).
 * The registry (stages.ts) loads every stage and the libraries behind them: about 0.2 s of CPU
 * in each thread's start-up, more than a piece of a fast scan takes. A stage's file is named
 * after the stage (src/README.md), so its module is known by kind and name. The module must
 * default-export that very stage; when it does not (plot, which the sink list builds around
 * the sinks it wraps), the registry is loaded after all.
 */
import type { Stage, StageKind } from '../core/stage.ts';

const FOLDERS: Readonly<Record<StageKind, string>> = {
  source: 'sources',
  transform: 'transforms',
  sink: 'sinks',
};

/** Compiled (dist/) or run from the sources through tsx: the stage files have this module's extension. */
const EXTENSION = new URL(import.meta.url).pathname.endsWith('.ts') ? '.ts' : '.js';

const loaded = new Map<string, Promise<Stage | undefined>>();

/** The stage `name` of `kind`, or undefined when there is none. */
export function loadStage(name: string, kind: StageKind): Promise<Stage | undefined> {
  const key = `${kind}:${name}`;
  let stage = loaded.get(key);
  if (!stage) {
    stage = loadAlone(name, kind).then((found) => found ?? fromRegistry(name, kind));
    loaded.set(key, stage);
  }
  return stage;
}

async function loadAlone(name: string, kind: StageKind): Promise<Stage | undefined> {
  // A stage name is a file name: never a path.
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) return undefined;
  const url = new URL(`../${FOLDERS[kind]}/${name}${EXTENSION}`, import.meta.url);
  try {
    const module = (await import(url.href)) as { default?: Stage };
    const stage = module.default;
    return stage?.name === name && stage.kind === kind ? stage : undefined;
  } catch {
    return undefined;
  }
}

async function fromRegistry(name: string, kind: StageKind): Promise<Stage | undefined> {
  const { registry } = await import('../stages.ts');
  return registry.get(name, kind);
}
