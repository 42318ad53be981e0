import type { TransformStage } from '../core/stage.ts';

/** Every transform stage; later issues add segment, window, fft, select, filter, ... */
export const transforms: readonly TransformStage[] = [];
