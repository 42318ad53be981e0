/**
 * Stages loaded one module each, for a process or thread that runs a few stages: a worker
 * thread (shard-worker.ts), and `sluice run`/`validate`/`plan`, whose start-up counts in every
 * run's time. The registry (stages.ts) loads every stage and the libraries behind them: about
 * 0.2 s of CPU, more than a piece of a fast scan or a small run takes. A stage's file is named
 * after the stage (src/README.md), so its module is known by kind and name. The module must
 * default-export that very stage; when it does not (plot, which the sink list builds around
 * the sinks it wraps), the registry is loaded after all.
 */
import { Registry } from '../core/registry.ts';
import type { Stage, StageKind } from '../core/stage.ts';

/** A stage as a spec names it: its type and the kind its place in the spec says. */
export interface StageName {
  readonly name: string;
  readonly kind: StageKind;
}

const FOLDERS: Readonly<Record<StageKind, string>> = {
  source: 'sources',
  transform: 'transforms',
  sink: 'sinks',
};

/** Compiled (dist/) or run from the sources through tsx: the stage files have this module's extension. */
const EXTENSION = new URL(import.meta.url).pathname.endsWith('.ts') ? '.ts' : '.js';

const alone = new Map<string, Promise<Stage | undefined>>();
const loaded = new Map<string, Promise<Stage | undefined>>();

/** The stage `name` of `kind` (its module alone, else from the registry), or undefined when there is none. */
export function loadStage(name: string, kind: StageKind): Promise<Stage | undefined> {
  const key = `${kind}:${name}`;
  let stage = loaded.get(key);
  if (!stage) {
    stage = loadStageAlone(name, kind).then((found) => found ?? fromRegistry(name, kind));
    loaded.set(key, stage);
  }
  return stage;
}

/** Every stage sluice ships (stages.ts), loaded on first use. */
export async function loadRegistry(): Promise<Registry> {
  return (await import('../stages.ts')).registry;
}

/**
 * A registry that finds each of `names` as the full one would: only those stages when each
 * loads alone, else the full registry (a name that is no stage's, or a stage of another kind,
 * needs every name for its error: the nearest one, the list of that kind's).
 */
export async function registryOf(names: readonly StageName[]): Promise<Registry> {
  const stages = await Promise.all(names.map(({ name, kind }) => loadStageAlone(name, kind)));
  if (stages.some((stage) => stage === undefined)) return loadRegistry();
  return new Registry([...new Set(stages as Stage[])]);
}

/** The stage `name` of `kind` from its own module, or undefined when that module is not that stage. */
function loadStageAlone(name: string, kind: StageKind): Promise<Stage | undefined> {
  const key = `${kind}:${name}`;
  let stage = alone.get(key);
  if (!stage) {
    stage = importAlone(name, kind);
    alone.set(key, stage);
  }
  return stage;
}

async function importAlone(name: string, kind: StageKind): Promise<Stage | undefined> {
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
  return (await loadRegistry()).get(name, kind);
}
