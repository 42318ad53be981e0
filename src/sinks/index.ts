import type { SinkStage } from '../core/stage.ts';
import histogram from './histogram.ts';
import stats from './stats.ts';
import psd from './psd.ts';
import spectrogram from './spectrogram.ts';
import welch from './welch.ts';
import spectrumAverage from './spectrum-average.ts';

/** Every sink stage, in the order `sluice stages` lists them (the registry is built from this). */
export const sinks: readonly SinkStage[] = [stats, histogram, spectrumAverage, psd, welch, spectrogram];
