import type { SinkStage } from '../core/stage.ts';
import histogram from './histogram.ts';
import stats from './stats.ts';

/** Every sink stage, in the order `sluice stages` lists them (the registry is built from this). */
export const sinks: readonly SinkStage[] = [stats, histogram];
