import { closest } from 'fastest-levenshtein';
import type { Stage, StageKind } from './stage.ts';

/** Stages by name, built from explicit lists (no registration by import side effect). */
export class Registry {
  private readonly byName: ReadonlyMap<string, Stage>;

  constructor(stages: readonly Stage[]) {
    const byName = new Map<string, Stage>();
    for (const stage of stages) {
      if (byName.has(stage.name)) throw new Error(`duplicate stage name '${stage.name}'`);
      byName.set(stage.name, stage);
    }
    this.byName = byName;
  }

  get(name: string): Stage | undefined {
    return this.byName.get(name);
  }

  list(kind?: StageKind): Stage[] {
    const all = [...this.byName.values()];
    return kind ? all.filter((s) => s.kind === kind) : all;
  }

  /** The registered name of `kind` nearest to `name`, for "did you mean" hints. */
  suggest(name: string, kind?: StageKind): string | undefined {
    const names = this.list(kind).map((s) => s.name);
    return names.length ? closest(name, names) : undefined;
  }
}
