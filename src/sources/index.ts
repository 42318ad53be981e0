import type { SourceStage } from '../core/stage.ts';
import npy from './npy.ts';
import raw from './raw.ts';

/** Every source stage, in the order `sluice stages` lists them (the registry is built from this). */
export const sources: readonly SourceStage[] = [raw, npy];
