import { Registry } from './core/registry.ts';
import type { Stage } from './core/stage.ts';
import { sinks } from './sinks/index.ts';
import { sources } from './sources/index.ts';
import { transforms } from './transforms/index.ts';

/** Every stage sluice ships, by name. */
export const allStages: readonly Stage[] = [...sources, ...transforms, ...sinks];
export const registry = new Registry(allStages);

/** The source stages, each with its literal name and params schema (the API's definitions are typed from these). */
export type SourceStages = (typeof sources)[number];
export type TransformStages = (typeof transforms)[number];
export type SinkStages = (typeof sinks)[number];
