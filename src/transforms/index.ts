import type { TransformStage } from '../core/stage.ts';
import detrend from './detrend.ts';
import fft from './fft.ts';
import segment from './segment.ts';
import window from './window.ts';

/** Every transform stage; later issues add segment, window, fft, select, filter, ... */
export const transforms: readonly TransformStage[] = [segment, detrend, window, fft];
