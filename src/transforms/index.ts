import type { TransformStage } from '../core/stage.ts';
import derive from './derive.ts';
import detrend from './detrend.ts';
import filter from './filter.ts';
import fft from './fft.ts';
import segment from './segment.ts';
import select from './select.ts';
import window from './window.ts';
import reflectron from './reflectron.ts';
import tof2mc from './tof2mc.ts';
import toPyccapt from './to-pyccapt.ts';

/** Every transform stage (the registry is built from this; the API's step definitions are typed from it). */
export const transforms = [
  segment,
  detrend,
  window,
  fft,
  select,
  filter,
  derive,
  reflectron,
  tof2mc,
  toPyccapt,
] as const satisfies readonly TransformStage[];
