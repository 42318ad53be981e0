import { Registry } from './core/registry.ts';
import type { Stage } from './core/stage.ts';
import { sinks } from './sinks/index.ts';
import { sources } from './sources/index.ts';
import { transforms } from './transforms/index.ts';

/** Every stage sluice ships, by name. */
export const allStages: readonly Stage[] = [...sources, ...transforms, ...sinks];
export const registry = new Registry(allStages);
