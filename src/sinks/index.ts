import type { SinkStage } from '../core/stage.ts';
import histogram from './histogram.ts';
import stats from './stats.ts';
import arrow from './arrow.ts';
import csv from './csv.ts';
import daf from './daf.ts';
import hdf5 from './hdf5.ts';
import npy from './npy.ts';
import parquet from './parquet.ts';
import psd from './psd.ts';
import spectrogram from './spectrogram.ts';
import welch from './welch.ts';
import spectrumAverage from './spectrum-average.ts';
import { definePlot } from './plot.ts';
import histogram2d from './histogram2d.ts';
import quantiles from './quantiles.ts';

/** plot runs and draws these sinks; they are handed to it here, as a stage imports no other stage. */
export const plot = definePlot({
  welch,
  psd,
  'spectrum-average': spectrumAverage,
  histogram,
  histogram2d,
  spectrogram,
});

/**
 * Every sink stage, in the order `sluice stages` lists them (the registry is built from this;
 * the API's sink definitions and result types are typed from it).
 */
export const sinks = [
  stats,
  histogram,
  spectrumAverage,
  psd,
  welch,
  spectrogram,
  parquet,
  arrow,
  hdf5,
  npy,
  daf,
  csv,
  plot,
  histogram2d,
  quantiles,
] as const satisfies readonly SinkStage[];
