import { closest } from 'fastest-levenshtein';
import type { Stage, StageKind } from './stage.ts';

/**
 * Stages by kind and name, built from explicit lists (no registration by import side effect).
 * A source and a sink may share a name (`npy` reads, `npy` writes): a spec's position says
 * which is meant.
 */
export class Registry {
  private readonly stages: readonly Stage[];

  constructor(stages: readonly Stage[]) {
    const seen = new Set<string>();
    for (const stage of stages) {
      const key = `${stage.kind}:${stage.name}`;
      if (seen.has(key)) throw new Error(`duplicate ${stage.kind} name '${stage.name}'`);
      seen.add(key);
    }
    this.stages = [...stages];
  }

  /** The stage of that name (and kind, when given); without a kind, sources before transforms before sinks. */
  get(name: string, kind?: StageKind): Stage | undefined {
    return this.stages.find((s) => s.name === name && (kind === undefined || s.kind === kind));
  }

  /** Every stage of that name, one per kind at most. */
  named(name: string): Stage[] {
    return this.stages.filter((s) => s.name === name);
  }

  list(kind?: StageKind): Stage[] {
    return kind ? this.stages.filter((s) => s.kind === kind) : [...this.stages];
  }

  /** The registered name of `kind` nearest to `name`, for "did you mean" hints. */
  suggest(name: string, kind?: StageKind): string | undefined {
    const names = this.list(kind).map((s) => s.name);
    return names.length ? closest(name, names) : undefined;
  }
}
